//! Masked forms of names. ID numbers and phone numbers mask themselves
//! ([`super::IdNumber::masked`], [`super::PhoneNumber::masked`]).

/// `张*`: the first character, then one `*` for each of the rest.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_first_character() {
        assert_eq!(super::mask_name("张三"), "张*");
        assert_eq!(super::mask_name("欧阳修"), "欧**");
        assert_eq!(super::mask_name("王"), "王");
        assert_eq!(super::mask_name(""), "");
    }
}
