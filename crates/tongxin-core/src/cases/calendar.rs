//! Working time (工作时) on the official PRC calendar: weekends, public holidays and the
//! make-up working days (调休) that move a weekend day into the working week.
//!
//! The State Council's calendars for 2020–2026 ship with the code
//! (`data/prc-holidays.toml`); later years are added as [`Calendar::set_day`] overrides,
//! kept in the database. Days run in Asia/Shanghai; each working day has the configured
//! [`WorkingHours`] (by default 09:00–12:00 and 13:00–18:00, eight hours).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::Deserialize;

use crate::time::SHANGHAI;

/// The working periods of a working day, in order, not overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours(Vec<(NaiveTime, NaiveTime)>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("working hours are periods like 09:00-12:00,13:00-18:00, in order and not overlapping: {0}")]
pub struct WorkingHoursError(String);

impl WorkingHours {
    pub fn minutes_per_day(&self) -> i64 {
        self.0.iter().map(|(s, e)| (*e - *s).num_minutes()).sum()
    }

    pub fn periods(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.0
    }
}

impl Default for WorkingHours {
    fn default() -> Self {
        "09:00-12:00,13:00-18:00".parse().expect("the default parses")
    }
}

impl FromStr for WorkingHours {
    type Err = WorkingHoursError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || WorkingHoursError(s.to_owned());
        let mut periods = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').ok_or_else(bad)?;
            let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
            let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
            if b <= a || periods.last().is_some_and(|(_, end)| *end > a) {
                return Err(bad());
            }
            periods.push((a, b));
        }
        if periods.is_empty() { Err(bad()) } else { Ok(Self(periods)) }
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> =
            self.0.iter().map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M"))).collect();
        f.write_str(&parts.join(","))
    }
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Weekend,
    /// 法定节假日, with its name.
    Holiday(String),
    /// 调休上班: a weekend day worked in exchange for a holiday.
    MakeupWorkday(String),
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday(_))
    }
}

/// How long a step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "hours", rename_all = "snake_case")]
pub enum TimeLimit {
    /// 工作时: counted on working days, within working hours.
    WorkingHours(u32),
    /// 自然时: counted round the clock (emergencies).
    NaturalHours(u32),
}

/// Where a case stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sla {
    /// Green: under 80 % of the time used.
    OnTime,
    /// Yellow: 80 % or more used.
    Warning,
    /// Red: past the deadline.
    Overdue,
}

impl Sla {
    pub fn as_str(self) -> &'static str {
        match self {
            Sla::OnTime => "green",
            Sla::Warning => "yellow",
            Sla::Overdue => "red",
        }
    }
}

#[derive(Deserialize)]
struct YearFile {
    holidays: Vec<(NaiveDate, String)>,
    workdays: Vec<(NaiveDate, String)>,
}

/// The calendar: the shipped State Council data, overrides, and the working hours.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Dates that differ from "weekdays work, weekends rest": (works?, name).
    days: BTreeMap<NaiveDate, (bool, String)>,
    hours: WorkingHours,
}

/// Days searched forward before giving up: a calendar with no working day at all.
const MAX_DAYS: i64 = 3660;

impl Calendar {
    /// The official calendar for 2020–2026 with `hours`.
    pub fn prc(hours: WorkingHours) -> Self {
        let years: BTreeMap<String, YearFile> =
            toml::from_str(include_str!("../../data/prc-holidays.toml")).expect("the shipped calendar parses");
        let mut days = BTreeMap::new();
        for year in years.values() {
            for (date, name) in &year.holidays {
                days.insert(*date, (false, name.clone()));
            }
            for (date, name) in &year.workdays {
                days.insert(*date, (true, name.clone()));
            }
        }
        Self { days, hours }
    }

    /// Declares a holiday (`working == false`) or a make-up working day, e.g. for a year
    /// published after this build.
    pub fn set_day(&mut self, date: NaiveDate, working: bool, name: &str) {
        self.days.insert(date, (working, name.to_owned()));
    }

    /// The years the calendar has holiday data for.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.days.keys().map(Datelike::year).collect();
        years.dedup();
        years
    }

    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// The holidays and make-up working days of `year`, in date order.
    pub fn special_days(&self, year: i32) -> Vec<(NaiveDate, DayKind)> {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return Vec::new();
        };
        self.days.range(first..=last).map(|(date, _)| (*date, self.day_kind(*date))).collect()
    }

    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        match self.days.get(&date) {
            Some((false, name)) => DayKind::Holiday(name.clone()),
            Some((true, name)) if weekend => DayKind::MakeupWorkday(name.clone()),
            _ if weekend => DayKind::Weekend,
            _ => DayKind::Workday,
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }

    fn at(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        SHANGHAI.from_local_datetime(&date.and_time(time)).single().expect("+08:00 has no gaps").with_timezone(&Utc)
    }

    /// The instant `minutes` of working time after `start`. Work stops outside working
    /// hours and on rest days; a start outside working hours waits for the next period.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return start;
        }
        let local = start.with_timezone(&SHANGHAI);
        let (mut date, mut from) = (local.date_naive(), local.time());
        let mut remaining = minutes;
        for _ in 0..MAX_DAYS {
            if self.is_working_day(date) {
                for (s, e) in self.hours.periods() {
                    if from >= *e {
                        continue;
                    }
                    let begin = from.max(*s);
                    let available = (*e - begin).num_minutes();
                    if remaining <= available {
                        return Self::at(date, begin + Duration::minutes(remaining));
                    }
                    remaining -= available;
                }
            }
            date = date.succ_opt().expect("dates before the year 262143");
            from = NaiveTime::MIN;
        }
        Self::at(date, from)
    }

    /// Working minutes between two instants (0 when `to` is not after `from`).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (a, b) = (from.with_timezone(&SHANGHAI), to.with_timezone(&SHANGHAI));
        let mut total = 0;
        let mut date = a.date_naive();
        while date <= b.date_naive() {
            if self.is_working_day(date) {
                let lo = if date == a.date_naive() { a.time() } else { NaiveTime::MIN };
                let hi = if date == b.date_naive() { Some(b.time()) } else { None };
                for (s, e) in self.hours.periods() {
                    let start = lo.max(*s);
                    let end = hi.map_or(*e, |h| h.min(*e));
                    if end > start {
                        total += (end - start).num_minutes();
                    }
                }
            }
            date = date.succ_opt().expect("dates before the year 262143");
        }
        total
    }

    /// When a step that started at `start` is due.
    pub fn due(&self, start: DateTime<Utc>, limit: TimeLimit) -> DateTime<Utc> {
        match limit {
            TimeLimit::WorkingHours(h) => self.add_working_minutes(start, i64::from(h) * 60),
            TimeLimit::NaturalHours(h) => start + Duration::hours(i64::from(h)),
        }
    }

    /// Green, yellow (80 % of the time used) or red (past due) at `now`.
    pub fn sla(&self, start: DateTime<Utc>, limit: TimeLimit, due: DateTime<Utc>, now: DateTime<Utc>) -> Sla {
        if now > due {
            return Sla::Overdue;
        }
        let (used, allowed) = match limit {
            TimeLimit::WorkingHours(h) => (self.working_minutes_between(start, now), i64::from(h) * 60),
            TimeLimit::NaturalHours(_) => ((now - start).num_minutes(), (due - start).num_minutes()),
        };
        if allowed > 0 && used * 5 >= allowed * 4 { Sla::Warning } else { Sla::OnTime }
    }
}

/// A day a notice declares: a holiday (放假) or a make-up working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDay {
    pub date: NaiveDate,
    pub working: bool,
    pub name: String,
}

/// What is wrong with a line of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeProblem {
    /// Not "date kind name".
    Incomplete,
    BadDate(String),
    BadKind(String),
    NoName,
    /// A make-up working day on a weekday changes nothing: almost certainly a typing error.
    WeekdayWorked(NaiveDate),
    /// The same date both rested and worked.
    Both(NaiveDate),
    /// No days at all.
    Empty,
}

/// A problem and its line (1-based; 0 for the notice as a whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct LineProblem {
    pub line: usize,
    pub problem: NoticeProblem,
}

impl fmt::Display for NoticeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoticeProblem::Incomplete => write!(f, "write a date, 休 or 班, and the holiday's name"),
            NoticeProblem::BadDate(raw) => write!(f, "'{raw}' is not a date like 2027-01-01"),
            NoticeProblem::BadKind(raw) => write!(f, "'{raw}' is neither 休 (holiday) nor 班 (make-up working day)"),
            NoticeProblem::NoName => write!(f, "name the holiday (元旦, 春节 …)"),
            NoticeProblem::WeekdayWorked(d) => {
                write!(f, "{d} is a weekday; a make-up working day (班) falls on a weekend")
            }
            NoticeProblem::Both(d) => write!(f, "{d} is declared both a holiday and a working day"),
            NoticeProblem::Empty => write!(f, "no days: write one per line, like 2027-01-01 休 元旦"),
        }
    }
}

/// Reads the days of a State Council holiday notice, one per line:
/// `2027-01-01 休 元旦` or `2027-02-07 班 春节` (also `放假`/`上班`, `holiday`/`workday`);
/// blank lines and lines starting with `#` are skipped. Every problem is reported with its
/// line number, and a make-up working day must fall on a weekend.
pub fn parse_notice(text: &str) -> Result<Vec<DeclaredDay>, Vec<LineProblem>> {
    let mut days: Vec<DeclaredDay> = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line, &days) {
            Ok(Some(day)) => days.push(day),
            Ok(None) => {}
            Err(problem) => problems.push(LineProblem { line: i + 1, problem }),
        }
    }
    if days.is_empty() && problems.is_empty() {
        problems.push(LineProblem { line: 0, problem: NoticeProblem::Empty });
    }
    if problems.is_empty() { Ok(days) } else { Err(problems) }
}

/// One line; `None` when it repeats a day already read.
fn parse_line(line: &str, earlier: &[DeclaredDay]) -> Result<Option<DeclaredDay>, NoticeProblem> {
    let mut parts = line.split_whitespace();
    let (Some(date), Some(kind)) = (parts.next(), parts.next()) else { return Err(NoticeProblem::Incomplete) };
    let name = parts.collect::<Vec<_>>().join(" ");
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| NoticeProblem::BadDate(date.to_owned()))?;
    let working = match kind {
        "休" | "放假" | "holiday" => false,
        "班" | "上班" | "workday" => true,
        other => return Err(NoticeProblem::BadKind(other.to_owned())),
    };
    if name.is_empty() {
        return Err(NoticeProblem::NoName);
    }
    if working && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Err(NoticeProblem::WeekdayWorked(date));
    }
    match earlier.iter().find(|d| d.date == date) {
        Some(same) if same.working != working => Err(NoticeProblem::Both(date)),
        Some(_) => Ok(None),
        None => Ok(Some(DeclaredDay { date, working, name })),
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
