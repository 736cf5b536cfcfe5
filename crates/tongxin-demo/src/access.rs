//! Demo accounts: one staff account per role with stable usernames, grid workers in two
//! different communities, and a few residents with (invented) mobile numbers.
//!
//! [`ensure_accounts`] runs at every demo start: it creates what is missing and, when a
//! password is given, sets it on every demo account, so scripts can always log in.

use tongxin_core::access::Role;
use tongxin_core::access::password::Password;
use tongxin_core::geo::RegionCode;
use tongxin_core::pii::{PhoneNumber, PiiCipher};
use tongxin_store::Store;
use tongxin_store::access::NewUser;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::audit::Caller;

use crate::DemoError;
use crate::names::SUBDISTRICT;

/// (username, display name, role, region): the region is the subdistrict unless given.
pub const STAFF: [(&str, &str, Role, Option<&str>); 10] = [
    ("admin", "街道管理员 周敏", Role::Admin, None),
    ("intake", "受理员 陈静", Role::Intake, None),
    ("dispatcher", "派遣员 王磊", Role::Dispatcher, None),
    ("shiftlead", "值班长 刘芳", Role::ShiftLead, None),
    ("operator", "坐席 李娜", Role::Operator, None),
    ("viewer", "街道领导 赵强", Role::Viewer, None),
    ("auditor", "审计员 孙丽", Role::Auditor, None),
    // 景华居民区第一网格 and 美丽园居民区第二网格: two communities.
    ("gridworker1", "网格员 张伟", Role::GridWorker, Some("310106013001001")),
    ("gridworker2", "网格员 杨洋", Role::GridWorker, Some("310106013002002")),
    ("dept1", "城管中队 吴刚", Role::Department, None),
];

/// (mobile, name, grid) of demo residents. The numbers are invented.
pub const RESIDENTS: [(&str, &str, &str); 6] = [
    ("13916020001", "王秀英", "310106013001001"),
    ("13916020002", "李桂兰", "310106013001001"),
    ("13916020003", "张建国", "310106013001002"),
    ("13916020004", "陈美华", "310106013002002"),
    ("13916020005", "刘志强", "310106013003001"),
    ("13916020006", "周玉珍", "310106013007001"),
];

/// Creates missing demo accounts; with `password`, sets it on all of them. Returns the
/// usernames in order.
pub async fn ensure_accounts(
    store: &Store,
    pii: &PiiCipher,
    password: Option<&Password>,
) -> Result<Vec<&'static str>, DemoError> {
    let caller = Caller::system("demo");
    let code = |raw: &str| RegionCode::parse(raw).expect("demo codes are valid");
    let hash = |p: &Password| p.hash();
    let fallback = Password::parse(&tongxin_core::access::token::random_token()).expect("43 characters");
    for (username, display_name, role, region) in STAFF {
        match store.user_by_username(username).await? {
            Some(user) => {
                if let Some(p) = password {
                    store.reset_password(&caller, user.id, &hash(p)).await?;
                }
            }
            None => {
                let new = NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    password_hash: hash(password.unwrap_or(&fallback)),
                    roles: vec![role],
                    regions: vec![code(region.unwrap_or(SUBDISTRICT.0))],
                };
                store.create_user(&caller, &new).await?;
            }
        }
    }
    // The department account handles what is dispatched to the 城管执法中队.
    if let Some(dept) = store.user_by_username("dept1").await?
        && store.user_departments(dept.id).await?.is_empty()
        && store.departments().await?.iter().any(|(code, _)| code == "cgzd")
    {
        store.add_user_department(&caller, dept.id, "cgzd").await?;
    }
    for (phone, name, grid) in RESIDENTS {
        let phone = PhoneNumber::parse(phone).expect("demo numbers are valid");
        let index = pii.blind_index("phone", phone.expose());
        if store.resident_account_by_phone(&index).await?.is_none() {
            let new = NewResidentAccount {
                phone_sealed: pii.seal("phone", phone.expose()),
                phone_index: index,
                phone_masked: phone.masked(),
                display_name: name.into(),
                region_code: Some(code(grid)),
            };
            store.create_resident_account(&caller, &new).await?;
        }
    }
    Ok(STAFF.iter().map(|(u, ..)| *u).collect())
}
