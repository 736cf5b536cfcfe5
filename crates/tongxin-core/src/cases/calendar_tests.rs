//! Deadlines across the 2024 National Day holiday (1–7 October; make-up working days
//! Sunday 29 September and Saturday 12 October), with the default hours 09:00–12:00 and
//! 13:00–18:00. Every expected value below was worked out by hand; the reasoning is beside it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;

fn cal() -> Calendar {
    Calendar::prc(WorkingHours::default())
}

/// A Shanghai wall-clock time.
fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    SHANGHAI.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn knows_the_days_around_national_day_2024() {
    let c = cal();
    assert_eq!(c.day_kind(date(2024, 9, 28)), DayKind::Weekend);
    assert_eq!(c.day_kind(date(2024, 9, 29)), DayKind::MakeupWorkday("国庆节".into()));
    assert_eq!(c.day_kind(date(2024, 9, 30)), DayKind::Workday);
    for d in 1..=7 {
        assert_eq!(c.day_kind(date(2024, 10, d)), DayKind::Holiday("国庆节".into()), "October {d}");
    }
    assert_eq!(c.day_kind(date(2024, 10, 8)), DayKind::Workday);
    assert_eq!(c.day_kind(date(2024, 10, 12)), DayKind::MakeupWorkday("国庆节".into()));
    assert_eq!(c.day_kind(date(2024, 10, 13)), DayKind::Weekend);
    assert_eq!(c.years(), (2020..=2026).collect::<Vec<_>>());
}

#[test]
fn sixteen_working_hours_from_monday_30_september_end_on_9_october() {
    // 30 Sep (Mon) 10:00–12:00 = 2 h and 13:00–18:00 = 5 h: 7 h used, 9 h left.
    // 1–7 Oct are holidays. 8 Oct (Tue) gives 8 h: 1 h left. 9 Oct 09:00 + 1 h = 10:00.
    assert_eq!(cal().add_working_minutes(sh(2024, 9, 30, 10, 0), 16 * 60), sh(2024, 10, 9, 10, 0));
}

#[test]
fn the_make_up_sunday_is_a_working_day() {
    // 29 Sep 2024 is a Sunday worked for National Day: 09:00 + 8 h = 18:00 the same day.
    assert_eq!(cal().add_working_minutes(sh(2024, 9, 29, 9, 0), 8 * 60), sh(2024, 9, 29, 18, 0));
    // From Saturday 28 Sep (rest) the clock starts on the make-up Sunday: 09:00 + 1 h.
    assert_eq!(cal().add_working_minutes(sh(2024, 9, 28, 10, 0), 60), sh(2024, 9, 29, 10, 0));
}

#[test]
fn the_make_up_saturday_then_an_ordinary_weekend() {
    // 12 Oct (Sat, worked) 17:00–18:00 = 1 h; 13 Oct (Sun) rests; 14 Oct (Mon) 09:00 + 1 h.
    assert_eq!(cal().add_working_minutes(sh(2024, 10, 12, 17, 0), 2 * 60), sh(2024, 10, 14, 10, 0));
}

#[test]
fn evenings_and_lunch_do_not_count() {
    let c = cal();
    // 30 Sep 17:30–18:00 = 30 min; the next working day is 8 Oct: 09:00 + 30 min.
    assert_eq!(c.add_working_minutes(sh(2024, 9, 30, 17, 30), 60), sh(2024, 10, 8, 9, 30));
    // Reported at 20:00 on 30 Sep: nothing until 8 Oct 09:00, then 1 h.
    assert_eq!(c.add_working_minutes(sh(2024, 9, 30, 20, 0), 60), sh(2024, 10, 8, 10, 0));
    // 11:30 + 1 h: 30 min before lunch, 30 min after it.
    assert_eq!(c.add_working_minutes(sh(2024, 10, 8, 11, 30), 60), sh(2024, 10, 8, 13, 30));
    // Ending exactly when a period ends stays in that period.
    assert_eq!(c.add_working_minutes(sh(2024, 10, 8, 9, 0), 3 * 60), sh(2024, 10, 8, 12, 0));
}

#[test]
fn natural_hours_run_through_holidays() {
    let c = cal();
    assert_eq!(c.due(sh(2024, 9, 30, 10, 0), TimeLimit::NaturalHours(24)), sh(2024, 10, 1, 10, 0));
    assert_eq!(c.due(sh(2024, 9, 30, 10, 0), TimeLimit::WorkingHours(16)), sh(2024, 10, 9, 10, 0));
}

#[test]
fn measures_working_time_between_two_instants() {
    let c = cal();
    assert_eq!(c.working_minutes_between(sh(2024, 9, 30, 10, 0), sh(2024, 10, 9, 10, 0)), 16 * 60);
    // Friday 27 Sep 17:00 to Monday 30 Sep 10:00: 1 h Friday, 8 h on the make-up Sunday,
    // 1 h Monday.
    assert_eq!(c.working_minutes_between(sh(2024, 9, 27, 17, 0), sh(2024, 9, 30, 10, 0)), 10 * 60);
    assert_eq!(c.working_minutes_between(sh(2024, 10, 2, 9, 0), sh(2024, 10, 6, 18, 0)), 0, "all holidays");
    assert_eq!(c.working_minutes_between(sh(2024, 10, 8, 10, 0), sh(2024, 10, 8, 9, 0)), 0);
}

#[test]
fn colours_at_eighty_percent_and_past_due() {
    let c = cal();
    let start = sh(2024, 9, 30, 10, 0);
    let limit = TimeLimit::WorkingHours(16);
    let due = c.due(start, limit);
    // 8 Oct 10:00: 7 h + 1 h = 8 h of 16 = 50 %.
    assert_eq!(c.sla(start, limit, due, sh(2024, 10, 8, 10, 0)), Sla::OnTime);
    // 8 Oct 17:00: 7 h + 7 h = 14 h = 87.5 %.
    assert_eq!(c.sla(start, limit, due, sh(2024, 10, 8, 17, 0)), Sla::Warning);
    // Holidays do not move the colour: 5 Oct is still 7 h = 44 %.
    assert_eq!(c.sla(start, limit, due, sh(2024, 10, 5, 12, 0)), Sla::OnTime);
    assert_eq!(c.sla(start, limit, due, sh(2024, 10, 9, 10, 1)), Sla::Overdue);
    let natural = TimeLimit::NaturalHours(10);
    let due = c.due(start, natural);
    assert_eq!(c.sla(start, natural, due, sh(2024, 9, 30, 17, 59)), Sla::OnTime);
    assert_eq!(c.sla(start, natural, due, sh(2024, 9, 30, 18, 0)), Sla::Warning);
}

#[test]
fn later_years_are_added_as_overrides() {
    let mut c = cal();
    assert_eq!(c.day_kind(date(2027, 1, 1)), DayKind::Workday, "not yet published");
    c.set_day(date(2027, 1, 1), false, "元旦");
    assert_eq!(c.day_kind(date(2027, 1, 1)), DayKind::Holiday("元旦".into()));
    assert!(c.years().contains(&2027));
}

#[test]
fn working_hours_parse_and_refuse_nonsense() {
    let h: WorkingHours = "08:30-11:30, 13:30-17:30".parse().unwrap();
    assert_eq!(h.minutes_per_day(), 7 * 60);
    assert_eq!(h.to_string(), "08:30-11:30,13:30-17:30");
    for bad in ["", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "09:00"] {
        assert!(bad.parse::<WorkingHours>().is_err(), "{bad}");
    }
    assert_eq!(WorkingHours::default().minutes_per_day(), 8 * 60);
    let c = Calendar::prc(h);
    assert_eq!(c.add_working_minutes(sh(2024, 10, 8, 8, 0), 60), sh(2024, 10, 8, 9, 30));
}

#[test]
fn the_shipped_calendar_is_consistent() {
    let c = cal();
    // Every listed make-up working day is a weekend day, and every entry has a name.
    for (d, (works, name)) in &c.days {
        assert!(!name.is_empty());
        if *works {
            assert!(matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d} is a make-up day but not a weekend");
        }
    }
}

#[test]
fn a_notice_for_a_later_year_is_read_and_checked() {
    // 2027's New Year and Spring Festival, as an administrator would type them.
    let notice =
        "# 2027 元旦、春节\n2027-01-01 休 元旦\n\n2027-02-06 休 春节\n2027-02-07 班 春节\n2027-02-20 上班 春节\n";
    let days = parse_notice(notice).unwrap();
    assert_eq!(days.len(), 4);
    assert_eq!((days[2].date, days[2].working, days[2].name.as_str()), (date(2027, 2, 7), true, "春节"));
    let mut calendar = cal();
    for d in &days {
        calendar.set_day(d.date, d.working, &d.name);
    }
    // 7 February 2027 is a Sunday, worked; 1 January 2027 is a Friday, rested.
    assert_eq!(calendar.day_kind(date(2027, 2, 7)), DayKind::MakeupWorkday("春节".into()));
    assert!(!calendar.is_working_day(date(2027, 1, 1)));
    assert_eq!(calendar.special_days(2027).len(), 4);
    assert_eq!(calendar.special_days(2024).len(), cal().special_days(2024).len());

    let problems = parse_notice("2027-01-04 班 元旦\n2027-13-01 休 x\n2027-01-01 闲 元旦\n2027-01-01\n2027-01-02 休\n2027-01-03 休 元旦\n2027-01-03 班 元旦\n").unwrap_err();
    let found: Vec<(usize, NoticeProblem)> = problems.iter().map(|p| (p.line, p.problem.clone())).collect();
    assert_eq!(
        found,
        [
            (1, NoticeProblem::WeekdayWorked(date(2027, 1, 4))),
            (2, NoticeProblem::BadDate("2027-13-01".into())),
            (3, NoticeProblem::BadKind("闲".into())),
            (4, NoticeProblem::Incomplete),
            (5, NoticeProblem::NoName),
            (7, NoticeProblem::Both(date(2027, 1, 3))),
        ]
    );
    assert!(problems[0].to_string().starts_with("line 1: 2027-01-04 is a weekday"), "{}", problems[0]);
    assert_eq!(parse_notice("# nothing\n").unwrap_err()[0].problem, NoticeProblem::Empty);
}
