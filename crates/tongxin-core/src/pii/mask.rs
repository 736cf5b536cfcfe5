//! Masked forms of names, and of the phone and ID numbers inside free text. ID numbers and
//! phone numbers held in their own fields mask themselves ([`super::IdNumber::masked`],
//! [`super::PhoneNumber::masked`]).

use unicode_normalization::char::decompose_compatible;

/// `张*`: the first character, then one `*` for each of the rest.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Free text with the phone and ID numbers in it masked (`138****5678`, `3***************1X`):
/// what someone typed into a description may be shown to others, their numbers may not.
///
/// People write numbers in many ways, so the text is read as NFKC would (full-width `１３８`
/// and `１`-style digits are digits) and a number may be broken into groups by spaces,
/// dashes, dots or brackets (`139 1234 5678`, `(021) 6248-1234`, `310106 19900101 1234`),
/// with a `+86` or `0086` prefix. Groups are joined, longest first, into:
/// - a mobile number: 11 digits starting with 1 (after any prefix): the first 3 and last 4
///   are kept;
/// - an ID number: 18 characters (17 digits and a digit or X) or the old 15 digits: the
///   first and the last are kept;
/// - a landline with its area code: 10 to 12 digits starting with 0 (or 9 to 11 after a
///   `+86`): the first 3 and last 2 are kept.
///
/// Everything else, dates and case numbers (`20261129-00042`) among it, is left as it is.
/// The separators and the characters kept are shown as typed.
pub fn mask_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let groups = groups(&chars);
    let mut masked = vec![false; chars.len()];
    let mut i = 0;
    while i < groups.len() {
        match longest_match(&chars, &groups, i) {
            Some((last, head, tail)) => {
                let positions: Vec<usize> = groups[i..=last].iter().flat_map(|g| g.start..g.end).collect();
                for (n, at) in positions.iter().enumerate() {
                    masked[*at] = n >= head && n + tail < positions.len();
                }
                i = last + 1;
            }
            None => i += 1,
        }
    }
    chars.iter().zip(masked).map(|(c, m)| if m { '*' } else { *c }).collect()
}

/// A run of digits (and an ID number's final X) at `start..end` of the text's characters,
/// and whether a `+` stands right before it.
struct Group {
    start: usize,
    end: usize,
    plus: bool,
    /// Joined to the previous group by at most three separators.
    joined: bool,
}

/// The digit an NFKC reading gives `c`, if any (`１`, `𝟏` and `①` are 1).
fn digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    let mut parts = Vec::with_capacity(2);
    decompose_compatible(c, |d| parts.push(d));
    match parts.as_slice() {
        [d] if d.is_ascii_digit() => Some(*d),
        _ => None,
    }
}

/// What may stand between the groups of one number.
fn separator(c: char) -> bool {
    let mut parts = Vec::with_capacity(2);
    decompose_compatible(c, |d| parts.push(d));
    match parts.as_slice() {
        [d] => d.is_whitespace() || matches!(d, '-' | '.' | '(' | ')' | '‐'..='―' | '−' | '·'),
        _ => false,
    }
}

fn groups(chars: &[char]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut i = 0;
    let mut last_end: Option<usize> = None;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && digit(chars[i]).is_some() {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], 'X' | 'x' | 'Ｘ' | 'ｘ') {
            i += 1;
        }
        let plus = start > 0 && matches!(chars[start - 1], '+' | '＋');
        let joined = last_end.is_some_and(|end| start - end <= 3 && chars[end..start].iter().all(|c| separator(*c)));
        out.push(Group { start, end: i, plus, joined });
        last_end = Some(i);
    }
    out
}

/// The longest run of joined groups from `first` that is a number to mask: the last group
/// of it, and how many characters to keep at the head and the tail.
fn longest_match(chars: &[char], groups: &[Group], first: usize) -> Option<(usize, usize, usize)> {
    let mut last = first;
    while last + 1 < groups.len() && groups[last + 1].joined && last - first < 6 {
        last += 1;
    }
    (first..=last).rev().find_map(|end| {
        let text: String = groups[first..=end]
            .iter()
            .flat_map(|g| chars[g.start..g.end].iter())
            .map(|c| digit(*c).unwrap_or('X'))
            .collect();
        classify(&text, groups[first].plus).map(|(head, tail)| (end, head, tail))
    })
}

/// Whether `s` (digits, perhaps ending in X) is a number to mask, and what to keep.
fn classify(s: &str, plus: bool) -> Option<(usize, usize)> {
    let x = s.ends_with('X');
    let digits = s.len();
    let (prefix, rest) = if let Some(rest) = s.strip_prefix("0086") {
        (4, rest)
    } else if let Some(rest) = s.strip_prefix("86").filter(|r| plus || is_mobile(r)) {
        (2, rest)
    } else {
        (0, s)
    };
    if s[..digits - usize::from(x)].contains('X') {
        return None;
    }
    if !x && is_mobile(rest) {
        return Some((prefix + 3, 4));
    }
    if prefix == 0 && ((digits == 18 && !s[..17].contains('X')) || (digits == 15 && !x)) {
        return Some((1, 1));
    }
    let landline = if prefix == 0 {
        rest.starts_with('0') && (10..=12).contains(&rest.len())
    } else {
        !rest.starts_with('1') && (9..=12).contains(&rest.len())
    };
    (!x && landline).then_some((prefix + 3, 2))
}

fn is_mobile(s: &str) -> bool {
    s.len() == 11 && s.starts_with('1') && !s.contains('X')
}

#[cfg(test)]
mod tests {
    use super::mask_numbers_in as mask;

    #[test]
    fn numbers_in_text_are_masked() {
        let text = "楼上住户13812345678天天充电，身份证310106199001011234，座机021-62481234，3号楼2单元";
        assert_eq!(mask(text), "楼上住户138****5678天天充电，身份证3****************4，座机021-******34，3号楼2单元");
        assert_eq!(mask("证件 11010519491231002X 到期"), "证件 1****************X 到期");
        assert_eq!(mask("2026年11月29日 上午10点，共 20 辆车"), "2026年11月29日 上午10点，共 20 辆车");
    }

    #[test]
    fn numbers_written_in_pieces_or_full_width_are_masked() {
        assert_eq!(mask("常德路27弄10号101室 王阿姨13812345678"), "常德路27弄10号101室 王阿姨138****5678");
        assert_eq!(mask("电话 139 1234 5678 晚上打"), "电话 139 **** 5678 晚上打");
        assert_eq!(mask("+8613987654321"), "+86139****4321");
        assert_eq!(mask("0086 139-8765-4321"), "0086 139-****-4321");
        assert_eq!(mask("+86 21 6248 1234"), "+86 21 6*** **34");
        assert_eq!(mask("手机１３９１２３４５６７８"), "手机１３９****５６７８");
        assert_eq!(mask("证件 310106 19900101 1234 。"), "证件 3***** ******** ***4 。");
        assert_eq!(mask("(021) 6248-1234"), "(021) ****-**34");
        assert_eq!(mask("13812345678 12345"), "138****5678 12345", "a phone beside another number");
        assert_eq!(mask("电话:138.1234.5678"), "电话:138.****.5678");
    }

    #[test]
    fn case_numbers_dates_and_counts_stay() {
        for text in [
            "与 20261129-00042 反映的是同一问题",
            "2026-11-29 13:00",
            "31.2252 121.4456",
            "3号楼 2单元 1201室",
            "共 12 个 58 个车棚 1,600 份",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn keeps_the_first_character() {
        assert_eq!(super::mask_name("张三"), "张*");
        assert_eq!(super::mask_name("欧阳修"), "欧**");
        assert_eq!(super::mask_name("王"), "王");
        assert_eq!(super::mask_name(""), "");
    }
}
