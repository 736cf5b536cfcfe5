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

/// Free text with the phone and ID numbers in it masked (`138****5678`, `3***************1X`):
/// what someone typed into a description may be shown to the public, their numbers may not.
/// Looks for runs of digits (and a final X): 11 digits starting with 1 are a mobile number,
/// 15 or 18 are an ID number, 7 or 8 digits after an area code are a landline.
pub fn mask_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '-') {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], 'X' | 'x') && i - start == 17 {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let digits = run.chars().filter(|c| *c != '-').count();
        let masked = match (digits, run.contains('-')) {
            // a mobile number: keep the first 3 and last 4
            (11, _) if run.starts_with('1') => Some(keep_ends(&run, 3, 4)),
            // an ID number (18, or the old 15): keep the first and the last
            (15 | 18, false) => Some(keep_ends(&run, 1, 1)),
            // a landline with its area code, like 021-62481234
            (10..=12, true) => Some(keep_ends(&run, 4, 2)),
            _ => None,
        };
        out.push_str(masked.as_deref().unwrap_or(&run));
    }
    out
}

fn keep_ends(run: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = run.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i + tail >= chars.len() || *c == '-' { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_in_text_are_masked() {
        let text = "楼上住户13812345678天天充电，身份证310106199001011234，座机021-62481234，3号楼2单元";
        let masked = super::mask_numbers_in(text);
        assert_eq!(masked, "楼上住户138****5678天天充电，身份证3****************4，座机021-******34，3号楼2单元");
        assert_eq!(super::mask_numbers_in("证件 11010519491231002X 到期"), "证件 1****************X 到期");
        assert_eq!(
            super::mask_numbers_in("2026年11月29日 上午10点，共 20 辆车"),
            "2026年11月29日 上午10点，共 20 辆车"
        );
    }

    #[test]
    fn keeps_the_first_character() {
        assert_eq!(super::mask_name("张三"), "张*");
        assert_eq!(super::mask_name("欧阳修"), "欧**");
        assert_eq!(super::mask_name("王"), "王");
        assert_eq!(super::mask_name(""), "");
    }
}
