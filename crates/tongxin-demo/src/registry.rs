//! The demo's community registry: about 20,000 households and 45,000 residents with the
//! ages and family shapes of an old central Shanghai neighbourhood (many elderly, many
//! living alone), about 3,000 e-bikes, 70 charging sheds (58 old, 12 built in the 2020
//! sweep) and about 1,800 safety pledges, 1,600 of them signed door to door in that sweep.
//!
//! Generated ID numbers use the district's prefix (310106), a birth date that matches the
//! age, a sequence code from 900 to 999 and a correct check character. They are synthetic:
//! the high sequence range and the random dates make a match with a real person unlikely,
//! but not impossible, so the demo database must never be mixed with real data.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use tongxin_core::geo::{Building, LatLng, RegionCode};
use tongxin_core::pii::id_number::check_character;
use tongxin_core::pii::{IdNumber, PhoneNumber, PiiCipher};
use tongxin_core::registry::{
    Battery, EbikeStatus, Facility, Gender, HouseholdRole, PledgeChannel, Registration, ShedStatus, Tag,
};
use tongxin_store::Store;
use tongxin_store::audit::Caller;
use tongxin_store::registry::{NewEbike, NewHousehold, NewPledge, NewResident, NewShed};

use crate::{DemoError, Progress};

const SURNAMES: [&str; 40] = [
    "张", "王", "李", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何", "高", "罗",
    "郑", "沈", "顾", "陆", "钱", "蒋", "姚", "汪", "金", "范", "唐", "曹", "许", "潘", "袁", "严", "施", "邵", "俞",
    "戴", "瞿",
];
/// Given names by generation and gender, as an old Shanghai lane would hear them.
const OLD_WOMEN: [&str; 14] =
    ["桂英", "秀英", "凤英", "玉兰", "金娣", "美娟", "惠芳", "雅琴", "素珍", "淑珍", "月娥", "佩珍", "杏娣", "丽华"];
const OLD_MEN: [&str; 12] =
    ["阿毛", "根宝", "国强", "建国", "志刚", "德华", "宝根", "荣生", "福林", "文华", "海林", "卫东"];
const YOUNG_WOMEN: [&str; 12] =
    ["静", "敏", "洁", "婷", "佳怡", "雨桐", "欣怡", "梓萱", "诗涵", "海燕", "晓雯", "思琪"];
const YOUNG_MEN: [&str; 12] = ["伟", "磊", "杰", "晨", "思远", "子涵", "浩然", "俊杰", "宇轩", "一鸣", "晓东", "建华"];
const BRANDS: [&str; 8] = ["雅迪", "爱玛", "小牛", "台铃", "新日", "绿源", "九号", "永久"];

/// How much of the registry to make (households; the rest follows).
pub fn counts(households: u32) -> (usize, usize, usize) {
    let h = households as usize;
    // 70 sheds and about 3,000 e-bikes for 20,000 households
    (h, (h * 70).div_ceil(20_000), h * 3 / 20)
}

struct Person {
    name: String,
    gender: Gender,
    birth: NaiveDate,
    role: HouseholdRole,
    tags: Vec<Tag>,
}

fn name(rng: &mut impl Rng, surname: &str, old: bool, gender: Gender) -> String {
    let names: &[&str] = match (old, gender) {
        (true, Gender::Female) => &OLD_WOMEN,
        (true, Gender::Male) => &OLD_MEN,
        (false, Gender::Female) => &YOUNG_WOMEN,
        (false, Gender::Male) => &YOUNG_MEN,
    };
    format!("{surname}{}", names[rng.random_range(0..names.len())])
}

fn born(rng: &mut impl Rng, today: NaiveDate, min_age: i32, max_age: i32) -> NaiveDate {
    let age = rng.random_range(min_age..=max_age);
    let days = rng.random_range(0..365);
    NaiveDate::from_ymd_opt(today.year() - age, 1, 1).expect("a date") - Duration::days(days)
}

/// The people of one household: a family shape drawn with weights like an old Jing'an lane.
fn family<R: Rng>(rng: &mut R, today: NaiveDate) -> (Registration, Vec<Person>) {
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let other = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let person = |rng: &mut R, surname: &str, gender: Gender, ages: (i32, i32), role: HouseholdRole| {
        let birth = born(rng, today, ages.0, ages.1);
        let old = tongxin_core::registry::age(birth, today) >= 55;
        Person { name: name(rng, surname, old, gender), gender, birth, role, tags: Vec::new() }
    };
    let r = rng;
    let shape = r.random_range(0..100);
    let mut people = Vec::new();
    let registration = match shape {
        // an elder living alone
        0..14 => {
            let g = if r.random_bool(0.7) { Gender::Female } else { Gender::Male };
            let mut p = person(r, surname, g, (70, 96), HouseholdRole::Head);
            p.tags.push(Tag::LivesAlone);
            if r.random_bool(0.15) {
                p.tags.push(Tag::Childless);
            }
            people.push(p);
            Registration::Local
        }
        // an elderly couple
        14..40 => {
            people.push(person(r, surname, Gender::Male, (62, 92), HouseholdRole::Head));
            people.push(person(r, other, Gender::Female, (60, 90), HouseholdRole::Spouse));
            Registration::Local
        }
        // a couple and a child
        40..68 => {
            people.push(person(r, surname, Gender::Male, (32, 55), HouseholdRole::Head));
            people.push(person(r, other, Gender::Female, (30, 53), HouseholdRole::Spouse));
            let g = if r.random_bool(0.5) { Gender::Male } else { Gender::Female };
            people.push(person(r, surname, g, (1, 22), HouseholdRole::Child));
            if r.random_bool(0.3) { Registration::Separated } else { Registration::Local }
        }
        // three generations
        68..80 => {
            people.push(person(r, surname, Gender::Male, (40, 58), HouseholdRole::Head));
            people.push(person(r, other, Gender::Female, (38, 56), HouseholdRole::Spouse));
            people.push(person(r, surname, Gender::Female, (68, 92), HouseholdRole::Parent));
            let g = if r.random_bool(0.5) { Gender::Male } else { Gender::Female };
            people.push(person(r, surname, g, (3, 20), HouseholdRole::Child));
            Registration::Local
        }
        // a single adult
        80..90 => {
            let g = if r.random_bool(0.5) { Gender::Male } else { Gender::Female };
            people.push(person(r, surname, g, (25, 59), HouseholdRole::Head));
            if r.random_bool(0.4) { Registration::Separated } else { Registration::Local }
        }
        // tenants from outside Shanghai sharing a flat
        _ => {
            for i in 0..r.random_range(1..=3) {
                let s = SURNAMES[r.random_range(0..SURNAMES.len())];
                let g = if r.random_bool(0.5) { Gender::Male } else { Gender::Female };
                people.push(person(
                    r,
                    s,
                    g,
                    (20, 45),
                    if i == 0 { HouseholdRole::Head } else { HouseholdRole::Tenant },
                ));
            }
            Registration::Migrant
        }
    };
    for p in &mut people {
        let age = tongxin_core::registry::age(p.birth, today);
        if age >= 18 && r.random_bool(0.12) {
            p.tags.push(Tag::PartyMember);
        }
        if age >= 60 && r.random_bool(0.06) {
            p.tags.push(Tag::Disabled);
        }
        if (18..75).contains(&age) && r.random_bool(0.05) {
            p.tags.push(Tag::Volunteer);
        }
        if r.random_bool(0.015) {
            p.tags.push(Tag::Dibao);
        }
        p.tags.sort();
        p.tags.dedup();
    }
    (registration, people)
}

/// A synthetic ID number: the district's prefix, the birth date, a sequence of 900–999 of
/// the right parity, the check character.
fn id_number(rng: &mut impl Rng, birth: NaiveDate, gender: Gender, taken: &mut HashSet<String>) -> IdNumber {
    loop {
        let mut seq: u32 = rng.random_range(900..1000);
        if (seq % 2 == 1) != (gender == Gender::Male) {
            seq = if seq == 999 { 998 } else { seq + 1 };
        }
        let first17 = format!("310106{}{seq:03}", birth.format("%Y%m%d"));
        let Some(check) = check_character(&first17) else { continue };
        let number = format!("{first17}{check}");
        if taken.insert(number.clone()) {
            return IdNumber::parse(&number).expect("generated numbers are valid");
        }
    }
}

fn phone(rng: &mut impl Rng, taken: &mut HashSet<String>) -> PhoneNumber {
    loop {
        let prefix = ["139", "138", "137", "136", "135", "158", "159", "186", "189", "133", "177", "199"]
            [rng.random_range(0..12)];
        let number = format!("{prefix}{:08}", rng.random_range(0..100_000_000u32));
        if taken.insert(number.clone()) {
            return PhoneNumber::parse(&number).expect("generated numbers are valid");
        }
    }
}

fn last4(text: &str) -> String {
    text[text.len() - 4..].to_owned()
}

/// What the registry step made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegistrySummary {
    pub households: usize,
    pub residents: usize,
    pub ebikes: usize,
    pub sheds: usize,
    pub pledges: usize,
    pub shed_checks: usize,
    /// Fire-safety cases of the 2020 sweep.
    pub sweep_cases: usize,
}

/// Creates the registry when it is empty (and `households` > 0).
pub async fn seed_if_empty(
    store: &Store,
    pii: &PiiCipher,
    rng: &mut impl Rng,
    households: u32,
    today: NaiveDate,
    progress: &dyn Progress,
) -> Result<Option<RegistrySummary>, DemoError> {
    let scope = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    if households == 0 || store.registry_counts(&scope).await?.0 > 0 {
        return Ok(None);
    }
    let (household_count, shed_count, ebike_count) = counts(households);
    let caller = Caller::system("demo");
    let buildings = all_buildings(store).await?;
    if buildings.is_empty() {
        return Ok(None);
    }

    // Households: four flats a floor, the lower floors of every building first.
    let top = buildings.iter().map(|b| b.fields.floors).max().unwrap_or(1);
    let count = buildings.len();
    let flats = (1..=top).flat_map(|floor| (1..=4u16).flat_map(move |n| (0..count).map(move |i| (i, floor, n))));
    let mut new_households = Vec::with_capacity(household_count);
    let mut families = Vec::with_capacity(household_count);
    for (i, floor, n) in flats.filter(|(i, floor, _)| *floor <= buildings[*i].fields.floors).take(household_count) {
        let building = &buildings[i];
        let (registration, people) = family(rng, today);
        new_households.push(NewHousehold {
            building_id: building.id,
            region: building.fields.block.clone().unwrap_or_else(|| building.fields.grid.clone()),
            unit: String::new(),
            room: format!("{floor}{n:02}"),
            registration,
            notes: String::new(),
        });
        families.push(people);
    }
    progress.begin("households", new_households.len() as u64);
    let mut household_ids = Vec::with_capacity(new_households.len());
    for chunk in new_households.chunks(2_000) {
        household_ids.extend(store.insert_households(&caller, chunk).await?);
        progress.advance(chunk.len() as u64);
    }
    progress.end();

    // Residents, their numbers sealed.
    let mut ids = HashSet::new();
    let mut phones = HashSet::new();
    let mut new_residents = Vec::new();
    for ((household, id), people) in new_households.iter().zip(&household_ids).zip(families) {
        for p in people {
            let number = id_number(rng, p.birth, p.gender, &mut ids);
            let age = tongxin_core::registry::age(p.birth, today);
            let phone = (age >= 14 && !(age >= 85 && rng.random_bool(0.4))).then(|| phone(rng, &mut phones));
            // elders have mostly lived here for decades; tenants came lately
            let since = match household.registration {
                Registration::Migrant => rng.random_range(2018..=2026),
                _ if age >= 60 => rng.random_range(1978..=2012),
                _ => rng.random_range(1990..=2025),
            };
            let moved_in =
                NaiveDate::from_ymd_opt(since.max(p.birth.year()), rng.random_range(1..=12), 1).filter(|d| *d <= today);
            new_residents.push(NewResident {
                household_id: *id,
                region: household.region.clone(),
                name: p.name,
                gender: p.gender,
                birth_date: p.birth,
                id_sealed: Some(pii.seal("resident_id", number.expose())),
                id_index: Some(pii.blind_index("resident_id", number.expose())),
                id_last4: last4(number.expose()),
                id_masked: number.masked(),
                phone_sealed: phone.as_ref().map(|ph| pii.seal("phone", ph.expose())),
                phone_index: phone.as_ref().map(|ph| pii.blind_index("phone", ph.expose())),
                phone_last4: phone.as_ref().map(|ph| last4(ph.expose())).unwrap_or_default(),
                phone_masked: phone.as_ref().map(PhoneNumber::masked).unwrap_or_default(),
                role: p.role,
                tags: p.tags,
                moved_in,
                moved_out: None,
            });
        }
    }
    progress.begin("residents", new_residents.len() as u64);
    let mut resident_ids = Vec::with_capacity(new_residents.len());
    for chunk in new_residents.chunks(2_000) {
        resident_ids.extend(store.insert_residents(&caller, chunk).await?);
        progress.advance(chunk.len() as u64);
    }
    progress.end();

    // Charging sheds: 58 of them before 2020, the last 12 built in the 2020 sweep.
    let new_sheds: Vec<NewShed> = (0..shed_count)
        .map(|i| {
            let building = &buildings[(i * buildings.len() / shed_count.max(1) + 3) % buildings.len()];
            let new = i * 70 / shed_count.max(1) >= 58;
            let facilities = if new {
                Facility::ALL.to_vec()
            } else {
                Facility::ALL.iter().copied().filter(|_| rng.random_bool(0.6)).collect()
            };
            let opened = if new {
                NaiveDate::from_ymd_opt(2020, rng.random_range(6..=11), rng.random_range(1..=28))
            } else {
                NaiveDate::from_ymd_opt(
                    rng.random_range(2015..=2019),
                    rng.random_range(1..=12),
                    rng.random_range(1..=28),
                )
            };
            // Beside its building, well inside the same block (buildings stand 5 m clear
            // of its border), so the shed's grid is the one its point lies in.
            let p = building.fields.location;
            NewShed {
                name: format!("{}充电棚{}", building.fields.name, i + 1),
                region: building.fields.grid.clone(),
                location: LatLng::new(p.lat() + 0.00003, p.lng() + 0.00003).unwrap_or(p),
                capacity: if new { rng.random_range(20..=40) } else { rng.random_range(8..=24) },
                facilities,
                status: if !new && rng.random_bool(0.05) { ShedStatus::Closed } else { ShedStatus::InUse },
                opened_on: opened,
            }
        })
        .collect();
    let shed_ids = store.insert_sheds(&caller, &new_sheds).await?;

    // E-bikes: adults under 75, a few per hundred; lithium batteries more and more common.
    let mut owners: Vec<usize> = (0..new_residents.len())
        .filter(|&i| (18..75).contains(&tongxin_core::registry::age(new_residents[i].birth_date, today)))
        .collect();
    let mut chosen = Vec::with_capacity(ebike_count);
    while chosen.len() < ebike_count && !owners.is_empty() {
        chosen.push(owners.swap_remove(rng.random_range(0..owners.len())));
    }
    let mut new_ebikes = Vec::with_capacity(chosen.len());
    for (n, &i) in chosen.iter().enumerate() {
        let owner = &new_residents[i];
        let registered =
            NaiveDate::from_ymd_opt(rng.random_range(2017..=2026), rng.random_range(1..=12), rng.random_range(1..=28))
                .filter(|d| *d <= today)
                .unwrap_or(today);
        let community = &owner.region.as_str()[..12];
        let shed = new_sheds
            .iter()
            .zip(&shed_ids)
            .filter(|(s, _)| s.region.as_str().starts_with(community) && s.status == ShedStatus::InUse)
            .map(|(_, id)| *id)
            .next()
            .filter(|_| rng.random_bool(0.6));
        new_ebikes.push(NewEbike {
            owner_id: resident_ids[i],
            household_id: owner.household_id,
            region: owner.region.clone(),
            plate: format!("沪静{:06}", 100_000 + n),
            brand: BRANDS[rng.random_range(0..BRANDS.len())].to_owned(),
            battery: if rng.random_bool(0.55) { Battery::Lithium } else { Battery::LeadAcid },
            registered_on: registered,
            status: match rng.random_range(0..100) {
                0..90 => EbikeStatus::Active,
                90..96 => EbikeStatus::Scrapped,
                _ => EbikeStatus::MovedAway,
            },
            shed_id: shed,
        });
    }
    let ebike_ids = store.insert_ebikes(&caller, &new_ebikes).await?;

    // Pledges: about 1,800 for 3,000 bikes, about 1,600 of them collected door to door in
    // the 2020 sweep (paper, May to November); the rest signed later, half of them online.
    let mut new_pledges = Vec::new();
    for e in new_ebikes.iter().filter(|e| e.status == EbikeStatus::Active) {
        if !rng.random_bool(0.66) {
            continue;
        }
        let sweep = rng.random_bool(0.9);
        let online = !sweep && rng.random_bool(0.5);
        let year = if sweep { 2020 } else { rng.random_range(2021..=2026) };
        let signed_on = NaiveDate::from_ymd_opt(year, rng.random_range(5..=11), rng.random_range(1..=28))
            .filter(|d| *d <= today)
            .unwrap_or(today);
        new_pledges.push(NewPledge {
            resident_id: e.owner_id,
            region: e.region.clone(),
            signed_on,
            collected_by: if online { String::new() } else { "网格员".to_owned() },
            channel: if online { PledgeChannel::Online } else { PledgeChannel::Paper },
        });
    }
    let pledge_ids = store.insert_pledges(&caller, &new_pledges).await?;
    let sheds: Vec<(i64, &NewShed)> = shed_ids.iter().copied().zip(&new_sheds).collect();
    let shed_checks = crate::safety::seed_shed_checks(store, &caller, rng, &sheds).await?;
    let sweep_cases = crate::safety::seed_sweep_cases(store, &caller, rng, &buildings, households).await?;
    Ok(Some(RegistrySummary {
        households: household_ids.len(),
        residents: resident_ids.len(),
        ebikes: ebike_ids.len(),
        sheds: shed_ids.len(),
        pledges: pledge_ids.len(),
        shed_checks,
        sweep_cases,
    }))
}

/// Every building, in id order.
async fn all_buildings(store: &Store) -> Result<Vec<Building>, DemoError> {
    let subdistrict = RegionCode::parse(crate::names::SUBDISTRICT.0).expect("a valid code");
    let mut all = Vec::new();
    loop {
        let filter =
            tongxin_store::geo::BuildingFilter { within: subdistrict.clone(), limit: 1000, offset: all.len() as i64 };
        let page = store.buildings(&filter).await?;
        let done = page.len() < 1000;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}
