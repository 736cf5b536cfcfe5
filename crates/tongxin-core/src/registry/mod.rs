//! The community registry (社区云): households and the residents in them, e-bikes, charging
//! sheds and safety pledges. The enumerations here are the vocabularies of the ledgers
//! (台账), each with its stored value and its Chinese name; personal values (ID numbers,
//! phones) are [`crate::pii`] types and never leave the store unsealed.

pub mod safety;

use chrono::{Datelike, NaiveDate};

pub mod ebike_input;
pub mod input;
pub mod ledger_input;

vocabulary! {
    /// 户籍类型
    Registration {
        /// 户籍: registered here and living here.
        Local = ("local", "户籍"),
        /// 人户分离: registered here, living elsewhere (or the reverse).
        Separated = ("separated", "人户分离"),
        /// 来沪: from outside Shanghai.
        Migrant = ("migrant", "来沪"),
    }
}

vocabulary! {
    Gender {
        Male = ("male", "男"),
        Female = ("female", "女"),
    }
}

vocabulary! {
    /// 与户主关系
    HouseholdRole {
        Head = ("head", "户主"),
        Spouse = ("spouse", "配偶"),
        Child = ("child", "子女"),
        Parent = ("parent", "父母"),
        Grandchild = ("grandchild", "孙子女"),
        Other = ("other", "其他"),
        Tenant = ("tenant", "租户"),
    }
}

vocabulary! {
    /// Tags kept by community staff. 60+ and 80+ are not tags: they follow from the birth date.
    Tag {
        LivesAlone = ("lives_alone", "独居老人"),
        Childless = ("childless", "孤老"),
        Disabled = ("disabled", "残疾"),
        Dibao = ("dibao", "低保"),
        PartyMember = ("party_member", "党员"),
        Volunteer = ("volunteer", "志愿者"),
        FloorLeader = ("floor_leader", "楼组长"),
    }
}

vocabulary! {
    /// 加梯 (elevator retrofit) project stage of a building.
    LiftStage {
        Proposed = ("proposed", "意向征询"),
        Consulted = ("consulted", "征询通过"),
        Approved = ("approved", "审批通过"),
        Building = ("building", "施工中"),
        InService = ("in_service", "已投用"),
    }
}

vocabulary! {
    Battery {
        LeadAcid = ("lead_acid", "铅酸"),
        Lithium = ("lithium", "锂电"),
    }
}

vocabulary! {
    EbikeStatus {
        Active = ("active", "在用"),
        Scrapped = ("scrapped", "已报废"),
        MovedAway = ("moved_away", "已迁出"),
    }
}

vocabulary! {
    ShedStatus {
        Planned = ("planned", "规划中"),
        Building = ("building", "建设中"),
        InUse = ("in_use", "使用中"),
        Closed = ("closed", "已关闭"),
    }
}

vocabulary! {
    /// What a charging shed is fitted with.
    Facility {
        Extinguisher = ("extinguisher", "灭火器"),
        SmokeDetector = ("smoke_detector", "烟感"),
        Camera = ("camera", "监控"),
        TimedPowerOff = ("timed_power_off", "定时断电"),
    }
}

vocabulary! {
    PledgeChannel {
        Paper = ("paper", "纸质"),
        Online = ("online", "线上"),
    }
}

/// Age on `today`, in whole years.
pub fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The age tags that follow from the birth date: 60+, and 80+ (which is also 60+).
pub fn age_tags(birth: NaiveDate, today: NaiveDate) -> Vec<&'static str> {
    let a = age(birth, today);
    let mut tags = Vec::new();
    if a >= 60 {
        tags.push("60+");
    }
    if a >= 80 {
        tags.push("80+");
    }
    tags
}

/// Reads a list of tags typed in one cell ("独居老人、党员" or "lives_alone,party_member").
pub fn parse_tags(raw: &str) -> Result<Vec<Tag>, String> {
    let mut tags: Vec<Tag> = raw
        .split([',', '，', '、', ';', '；', ' '])
        .filter(|t| !t.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    tags.sort();
    tags.dedup();
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        let today = d(2026, 11, 29);
        assert_eq!(age(d(1946, 11, 29), today), 80);
        assert_eq!(age(d(1946, 11, 30), today), 79);
        assert_eq!(age_tags(d(1946, 11, 29), today), ["60+", "80+"]);
        assert_eq!(age_tags(d(1966, 12, 1), today), Vec::<&str>::new());
        assert_eq!(age_tags(d(1966, 11, 1), today), ["60+"]);
    }

    #[test]
    fn vocabularies_read_both_names() {
        assert_eq!("人户分离".parse::<Registration>(), Ok(Registration::Separated));
        assert_eq!("migrant".parse::<Registration>(), Ok(Registration::Migrant));
        assert!("外地".parse::<Registration>().unwrap_err().contains("户籍、人户分离、来沪"));
        assert_eq!(parse_tags("党员、独居老人，党员").unwrap(), [Tag::LivesAlone, Tag::PartyMember]);
        assert!(parse_tags("党员、富豪").unwrap_err().contains("富豪"));
    }
}
