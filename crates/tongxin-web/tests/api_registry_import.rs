//! Ledger imports over HTTP on both backends: export then import into an empty registry
//! gives the same records; importing again changes nothing; bad rows are reported with
//! their row, column and reason in both modes; bad files are refused whole.

mod common;

use std::time::Duration;

use common::{TestApp, assert_error};
use serde_json::Value;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// Another empty database on the same backend.
async fn fresh(db: &TestDb) -> TestDb {
    match db.backend() {
        tongxin_store::Backend::Sqlite => TestDb::sqlite().await,
        tongxin_store::Backend::Postgres => TestDb::postgres().await.expect("PostgreSQL"),
    }
}

/// Posts a file for import and waits for the result.
async fn import(client: &mut common::client::Client<'_>, query: &str, bytes: Vec<u8>) -> Value {
    let (status, job) =
        client.post_bytes(&format!("/api/v1/registry/imports?{query}"), "application/octet-stream", bytes).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (status, now) = client.json(&format!("/api/v1/registry/imports/{id}")).await;
        assert_eq!(status, 200, "{now}");
        if now["finished"] == true {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in a minute");
}

async fn download(client: &common::client::Client<'_>, path: &str) -> Vec<u8> {
    let r = client.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

/// A sheet's rows as text, sorted after the header.
fn rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let mut rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    rows[1..].sort();
    rows
}

async fn ledgers_round_trip_and_import_once(db: TestDb) {
    let second = fresh(&db).await;
    let source = TestApp::spawn_with_registry(db, 150).await;
    let lead = source.login("shiftlead").await;
    let households = download(&lead, "/api/v1/households/export?format=xlsx").await;
    let residents = download(&lead, "/api/v1/residents/export?format=xlsx&full=true&moved_out=true").await;
    let expected_households = rows(&households, "户");
    let expected_residents = rows(&residents, "居民");
    assert!(expected_residents.len() > 300, "{} residents", expected_residents.len());
    for r in &expected_residents[1..] {
        TestApp::personal(&r[3]);
    }

    // Into an empty registry on the same geography.
    let target = TestApp::spawn(second).await;
    let mut lead = target.login("shiftlead").await;
    let done = import(&mut lead, "kind=households", households.clone()).await;
    assert_eq!(done["outcome"]["added"].as_u64(), Some(expected_households.len() as u64 - 1), "{done}");
    assert_eq!(done["outcome"]["refused"], 0, "{done}");
    let done = import(&mut lead, "kind=residents&file_name=居民.xlsx", residents.clone()).await;
    assert_eq!(done["outcome"]["added"].as_u64(), Some(expected_residents.len() as u64 - 1), "{done}");
    assert_eq!(done["outcome"]["written"], true);

    // The same records.
    let again = download(&lead, "/api/v1/households/export?format=xlsx").await;
    assert_eq!(rows(&again, "户"), expected_households);
    let again = download(&lead, "/api/v1/residents/export?format=xlsx&full=true&moved_out=true").await;
    assert_eq!(rows(&again, "居民"), expected_residents);

    // The e-bike ledgers too: sheds, then e-bikes (owners by name, sheds by name), then pledges.
    let source_lead = source.login("shiftlead").await;
    for (kind, sheet) in [("sheds", "充电棚"), ("ebikes", "电动车"), ("pledges", "安全承诺书")] {
        let exported = download(&source_lead, &format!("/api/v1/{kind}/export?format=xlsx")).await;
        let expected = rows(&exported, sheet);
        assert!(expected.len() >= 2, "{kind}: {} rows", expected.len());
        let done = import(&mut lead, &format!("kind={kind}"), exported).await;
        assert_eq!(done["outcome"]["refused"], 0, "{kind}: {done}");
        assert_eq!(done["outcome"]["added"].as_u64(), Some(expected.len() as u64 - 1), "{kind}: {done}");
    }
    for (kind, sheet, compared) in [("sheds", "充电棚", 9), ("ebikes", "电动车", 11), ("pledges", "安全承诺书", 7)]
    {
        // (not a shed's inspections: they are not in the ledger)
        let cut = |rows: Vec<Vec<String>>| rows.into_iter().map(|r| r[..compared].to_vec()).collect::<Vec<_>>();
        let expected = cut(rows(&download(&source_lead, &format!("/api/v1/{kind}/export?format=xlsx")).await, sheet));
        let imported = cut(rows(&download(&lead, &format!("/api/v1/{kind}/export?format=xlsx")).await, sheet));
        assert_eq!(imported, expected, "{kind}");
    }

    // Importing the same file again changes nothing, and writes no history.
    let (_, before) = target.login("auditor").await.json("/api/v1/audit?action=registry.resident&limit=1").await;
    let done = import(&mut lead, "kind=residents", residents).await;
    let outcome = &done["outcome"];
    assert_eq!((outcome["added"].as_u64(), outcome["updated"].as_u64()), (Some(0), Some(0)), "{done}");
    assert_eq!(outcome["unchanged"].as_u64(), Some(expected_residents.len() as u64 - 1));
    let (_, after) = target.login("auditor").await.json("/api/v1/audit?action=registry.resident&limit=1").await;
    assert_eq!(before["total"], after["total"], "no change, no entry");
    let (_, imports) = target.login("auditor").await.json("/api/v1/audit?action=registry.import").await;
    let entries = imports["items"].as_array().unwrap();
    assert_eq!(entries[0]["detail"]["unchanged"].as_u64(), Some(expected_residents.len() as u64 - 1), "{imports}");
    let first = entries.iter().rev().find(|e| e["object_kind"] == "residents").unwrap();
    assert_eq!(first["detail"]["file"], "居民.xlsx", "{imports}");
    source.stop().await;
    target.stop().await;
}

/// A residents CSV: a header and the given rows.
fn csv(rows: &[[&str; 12]]) -> Vec<u8> {
    let mut text = String::from("姓名,性别,出生日期,身份证号,手机号,地址,单元,室,与户主关系,标签,迁入日期,迁出日期\n");
    for r in rows {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    text.into_bytes()
}

fn id_number(birth: &str, seq: u32) -> String {
    let first = format!("310106{birth}{seq:03}");
    format!("{first}{}", tongxin_core::pii::id_number::check_character(&first).unwrap())
}

async fn bad_rows_are_reported_in_either_mode(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 40).await;
    let mut lead = app.login("shiftlead").await;
    let (_, h) = lead.json("/api/v1/households?limit=2").await;
    let (home, other) = (&h["items"][0], &h["items"][1]);
    let (address, unit, room) =
        (home["building_address"].as_str().unwrap(), home["unit"].as_str().unwrap(), home["room"].as_str().unwrap());
    let (_, registered) = lead.json(&format!("/api/v1/households/{}", other["id"])).await;
    let someone = &registered["residents"][0];
    // the full ID number of someone registered in the other household, from a full export
    let full = String::from_utf8(download(&lead, "/api/v1/residents/export?format=csv&full=true").await).unwrap();
    let taken = full
        .lines()
        .find(|l| {
            l.starts_with(someone["name"].as_str().unwrap()) && l.contains(other["building_address"].as_str().unwrap())
        })
        .and_then(|l| l.split(',').nth(3))
        .unwrap()
        .to_owned();
    TestApp::personal(&taken);
    let good = id_number("19500101", 913);
    let mut wrong = id_number("19600101", 915);
    wrong.replace_range(17.., if wrong.ends_with('1') { "2" } else { "1" });
    let file = csv(&[
        ["张桂英", "", "", &good, "13911112222", address, unit, room, "配偶", "党员", "", ""],
        ["李明", "男", "", &wrong, "", address, unit, room, "子女", "", "", ""],
        ["王芳", "女", "1990-02-30", "", "", address, unit, room, "子女", "", "", ""],
        ["赵强", "男", "1980-01-01", "", "", "不存在路 1 号", "", "101", "户主", "", "", ""],
        ["张桂英", "", "", &good, "", address, unit, room, "配偶", "", "", ""],
        ["钱多", "", "", &taken, "", address, unit, room, "其他", "", "", ""],
    ]);
    let (_, before) = lead.json(&format!("/api/v1/residents?household={}", home["id"])).await;

    // All or nothing: the five bad rows named, nothing written.
    let done = import(&mut lead, "kind=residents", file.clone()).await;
    let outcome = &done["outcome"];
    assert_eq!((outcome["rows"].as_u64(), outcome["refused"].as_u64()), (Some(6), Some(5)), "{done}");
    assert_eq!(outcome["written"], false);
    let (_, now) = lead.json(&format!("/api/v1/residents?household={}", home["id"])).await;
    assert_eq!(now, before, "nothing imported");
    let reasons: Vec<(u64, String, String)> = outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |line: u64, column: &str, words: &str| {
        assert!(
            reasons.iter().any(|(l, c, r)| *l == line && c == column && r.contains(words)),
            "{line} {column} {words}: {reasons:?}"
        )
    };
    has(3, "身份证号", "校验位");
    has(4, "出生日期", "不是日期");
    has(5, "地址", "找不到这个楼栋");
    has(6, "身份证号", "与第 2 行");
    has(7, "身份证号", "已登记在");
    assert!(!done.to_string().contains(&taken), "numbers masked in the answer");

    // The report lists the same, in Chinese.
    let id = done["id"].as_str().unwrap();
    let report = rows(&download(&lead, &format!("/api/v1/registry/imports/{id}/report")).await, "错误报告");
    assert_eq!(report[0], ["行号", "列", "内容", "原因"]);
    assert_eq!(report.len(), reasons.len() + 1);

    // Valid rows: the good one lands, the rest are reported.
    let done = import(&mut lead, "kind=residents&mode=valid", file.clone()).await;
    assert_eq!((done["outcome"]["added"].as_u64(), done["outcome"]["refused"].as_u64()), (Some(1), Some(5)), "{done}");
    let (_, now) = lead.json(&format!("/api/v1/residents?household={}", home["id"])).await;
    let names: Vec<&str> = now["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"张桂英"), "{names:?}");
    // a dry run writes nothing
    let done = import(
        &mut lead,
        "kind=residents&mode=valid&dry_run=true",
        csv(&[["新人", "女", "1999-09-09", "", "", address, unit, room, "其他", "", "", ""]]),
    )
    .await;
    assert_eq!(done["outcome"]["written"], false);
    let (_, after) = lead.json(&format!("/api/v1/residents?household={}", home["id"])).await;
    assert_eq!(after, now);

    // Outside the importer's regions a building does not exist.
    let mut worker = app.login("gridworker1").await;
    let (_, everywhere) = lead.json("/api/v1/households?limit=500").await;
    let far = everywhere["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| !h["region"].as_str().unwrap().starts_with("310106013001001"))
        .expect("a household outside the grid worker's grid");
    let row = [
        "孙丽",
        "女",
        "1970-05-05",
        "",
        "",
        far["building_address"].as_str().unwrap(),
        far["unit"].as_str().unwrap(),
        far["room"].as_str().unwrap(),
        "户主",
        "",
        "",
        "",
    ];
    let done = import(&mut worker, "kind=residents&mode=valid", csv(&[row])).await;
    assert_eq!(done["outcome"]["errors"][0]["column"], "地址", "{done}");
    // who may not write may not import; bad settings are named
    let mut intake = app.login("intake").await;
    assert_error(
        &intake.post_bytes("/api/v1/registry/imports?kind=residents", "text/csv", file.clone()).await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &lead.post_bytes("/api/v1/registry/imports?kind=cars", "text/csv", file.clone()).await,
        400,
        "invalid_parameter",
        Some("kind"),
    );
    assert_error(
        &lead.post_bytes("/api/v1/registry/imports?kind=residents&mode=some", "text/csv", file).await,
        400,
        "invalid_parameter",
        Some("mode"),
    );
    assert_error(&lead.json("/api/v1/registry/imports/nope").await, 404, "not_found", None);
    app.stop().await;
}

/// A workbook from rust_xlsxwriter, shaped by `build`.
fn workbook(build: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    build(&mut book);
    book.save_to_buffer().unwrap()
}

const HEADER: [&str; 12] = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机号",
    "地址",
    "单元",
    "室",
    "与户主关系",
    "标签",
    "迁入日期",
    "迁出日期",
];

fn header(sheet: &mut rust_xlsxwriter::Worksheet) {
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
}

async fn bad_files_are_refused_whole(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 20).await;
    let mut lead = app.login("shiftlead").await;
    let (_, before) = lead.json("/api/v1/residents?limit=500").await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("corrupt", b"PK\x03\x04 this is not a workbook".to_vec(), "已损坏"),
        (
            "old or encrypted",
            {
                let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
                cfb.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
                cfb
            },
            "密码",
        ),
        (
            "wrong sheet",
            workbook(|b| {
                header(b.add_worksheet().set_name("名单").unwrap());
                b.add_worksheet().set_name("Sheet2").unwrap();
            }),
            "找不到名为「居民」的工作表",
        ),
        (
            "missing headers",
            workbook(|b| {
                let s = b.add_worksheet().set_name("居民").unwrap();
                s.write_string(0, 0, "姓名").unwrap();
                s.write_string(0, 1, "电话").unwrap();
            }),
            "缺少列：地址、室、与户主关系",
        ),
        (
            "formulas",
            workbook(|b| {
                let s = b.add_worksheet().set_name("居民").unwrap();
                header(s);
                s.write_string(1, 0, "王伟").unwrap();
                s.write_formula(1, 2, "=DATE(1950,1,1)").unwrap();
            }),
            "是公式",
        ),
        (
            "merged cells",
            workbook(|b| {
                let s = b.add_worksheet().set_name("居民").unwrap();
                header(s);
                s.merge_range(1, 5, 3, 5, "华山路 100 弄 3 号", &rust_xlsxwriter::Format::new()).unwrap();
            }),
            "合并单元格",
        ),
        (
            "50 MB",
            {
                let mut big = csv(&[]);
                big.resize(50 * 1024 * 1024, b' ');
                big
            },
            "超过 32 MB",
        ),
        ("binary", vec![0, 1, 2, 3, 0, 0, 0], "无法识别"),
    ];
    for (what, bytes, words) in cases {
        let done = import(&mut lead, "kind=residents&mode=valid", bytes).await;
        let problem = done["problem"].as_str().unwrap_or_else(|| panic!("{what}: {done}"));
        assert!(problem.contains(words), "{what}: {problem}");
        assert!(done["outcome"].is_null(), "{what}: nothing imported");
    }
    // An ID number typed as a number has lost its last digits: named, not guessed.
    let long = workbook(|b| {
        let s = b.add_worksheet().set_name("居民").unwrap();
        header(s);
        s.write_string(1, 0, "王伟").unwrap();
        s.write_number(1, 3, 310106195001019130.0).unwrap();
    });
    let done = import(&mut lead, "kind=residents&mode=valid", long).await;
    let errors = done["outcome"]["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["column"] == "身份证号" && e["reason"].as_str().unwrap().contains("文本")),
        "{done}"
    );
    let (_, after) = lead.json("/api/v1/residents?limit=500").await;
    assert_eq!(before, after);
    // The templates carry the Chinese headers, required ones marked.
    let template = rows(&download(&lead, "/api/v1/registry/templates/residents").await, "居民");
    assert_eq!(template[0][0], "姓名*");
    assert_eq!(template[0][3], "身份证号");
    let template = rows(&download(&lead, "/api/v1/registry/templates/households").await, "户");
    assert_eq!(template[0], ["地址*", "单元", "室*", "户籍类型*", "备注"]);
    app.stop().await;
}

/// The e-bike ledger: its export imports back unchanged; a new bike lands; bad rows are named.
async fn ebikes_come_in_from_their_ledger(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 400).await;
    let mut lead = app.login("shiftlead").await;
    let exported = download(&lead, "/api/v1/ebikes/export?format=xlsx").await;
    let sheet = rows(&exported, "电动车");
    assert_eq!(
        sheet[0][..10],
        ["车牌号", "品牌", "电池类型", "状态", "登记日期", "车主", "地址", "单元", "室", "充电棚"]
    );
    let done = import(&mut lead, "kind=ebikes", exported).await;
    let outcome = &done["outcome"];
    assert_eq!(outcome["refused"], 0, "{done}");
    assert_eq!(outcome["unchanged"].as_u64(), Some(sheet.len() as u64 - 1), "{done}");
    assert_eq!(outcome["ignored_columns"], serde_json::json!(["已签承诺书"]));

    // One new bike for a resident; four bad rows.
    let (_, h) = lead.json("/api/v1/households?limit=1").await;
    let home = &h["items"][0];
    let (_, detail) = lead.json(&format!("/api/v1/households/{}", home["id"])).await;
    let owner = detail["residents"][0]["name"].as_str().unwrap();
    let (address, unit, room) =
        (home["building_address"].as_str().unwrap(), home["unit"].as_str().unwrap(), home["room"].as_str().unwrap());
    let taken = &sheet[1];
    let file = format!(
        "车牌号,品牌,电池类型,状态,登记日期,车主,地址,单元,室,充电棚\n\
         沪Z00001,雅迪,锂电,在用,2026-10-01,{owner},{address},{unit},{room},\n\
         沪Z00002,雅迪,锂电,在用,2026-10-01,查无此人,{address},{unit},{room},\n\
         沪Z00003,雅迪,锂电,在用,2026-10-01,{owner},{address},{unit},{room},不存在的充电棚\n\
         沪Z00001,雅迪,锂电,在用,2026-10-01,{owner},{address},{unit},{room},\n\
         {},雅迪,锂电,在用,2026-10-01,{owner},{address},{unit},{room},\n",
        taken[0]
    );
    let done = import(&mut lead, "kind=ebikes&mode=valid", file.into_bytes()).await;
    let outcome = &done["outcome"];
    assert_eq!((outcome["added"].as_u64(), outcome["refused"].as_u64()), (Some(1), Some(4)), "{done}");
    let columns: Vec<(u64, &str)> = outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(columns, [(3, "车主"), (4, "充电棚"), (5, "车牌号"), (6, "车牌号")], "{done}");
    let (_, found) = lead.json("/api/v1/ebikes?q=沪Z00001").await;
    assert_eq!(found["items"][0]["owner_name"], owner);
    app.stop().await;
}

backend_tests!(
    ledgers_round_trip_and_import_once,
    bad_rows_are_reported_in_either_mode,
    bad_files_are_refused_whole,
    ebikes_come_in_from_their_ledger
);
