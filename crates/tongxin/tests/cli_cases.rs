//! The binary's case and calendar verbs: 12345 orders in from a file, cases out to a
//! spreadsheet, a later year's holidays.

mod support;

use std::process::Command;

use support::*;

/// 12345 orders from a CSV (GB18030, as Excel in China saves it): a dry run files nothing,
/// a bad row is named, a second run recognises the filed orders; then the export.
#[tokio::test]
async fn hotline_orders_come_in_from_a_file_and_cases_go_out_to_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let server = Server::small_demo(&data);
    assert_eq!(get_json(&format!("{}/healthz", server.url)).await.0, 200);
    assert!(server.terminate().success());
    let csv = "工单编号,问题类别,问题描述,事发地址,纬度,经度,来电人,联系电话\n\
               SH12345-001,暴露垃圾,=HYPERLINK(\"http://evil\") 门口垃圾,华山路 1 号,31.2235,121.4455,王先生,13800001111\n\
               SH12345-002,E0101,垃圾桶满溢,常德路 2 号,,,,\n\
               SH12345-003,E0999,没有的类别,常德路 3 号,,,,\n";
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, encoding_rs::GB18030.encode(csv).0).unwrap();
    let run = |args: &[&str]| tongxin_keyed(&data, args);
    let dry = run(&["cases", "import", file.to_str().unwrap(), "--dry-run"]);
    assert!(!dry.status.success(), "a refused row fails the run");
    assert!(stdout(&dry).contains("3 orders: 2 would be filed, 0 already on file, 1 refused"), "{}", stdout(&dry));
    assert!(stderr(&dry).contains("row 3: category"), "{}", stderr(&dry));
    let filed = run(&["cases", "import", file.to_str().unwrap()]);
    assert!(stdout(&filed).contains("2 filed, 0 already on file, 1 refused"), "{}", stdout(&filed));
    assert!(!stderr(&filed).contains("13800001111"), "no phone in the output");
    let again = run(&["cases", "import", file.to_str().unwrap()]);
    assert!(stdout(&again).contains("0 filed, 2 already on file, 1 refused"), "{}", stdout(&again));

    let out = dir.path().join("cases.xlsx");
    let export = run(&["cases", "export", "--out", out.to_str().unwrap(), "--source", "hotline"]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(stdout(&export).contains("2 cases"), "{}", stdout(&export));
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("案件").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "编号");
    let hyperlink = rows.iter().find(|r| r[16] == "SH12345-001").unwrap();
    assert!(hyperlink[5].starts_with("'=HYPERLINK"), "a formula is neutralised: {}", hyperlink[5]);
    assert_eq!((hyperlink[1].as_str(), hyperlink[3].as_str()), ("12345 热线", "暴露垃圾"));
    assert!(rows.iter().all(|r| !r.iter().any(|c| c.contains("13800001111") || c.contains("王先生"))));
}

#[test]
fn a_later_year_of_holidays_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command.args(args).arg("--data-dir").arg(dir.path()).env("TONGXIN_LOG", "warn");
        command.env_remove("TONGXIN_DATABASE_URL").output().expect("run tongxin")
    };
    let notice = dir.path().join("2027.txt");
    std::fs::write(&notice, "2027-01-01 休 元旦\n2027-02-08 班 春节\n").unwrap();
    let wrong = run(&["calendar", "add", notice.to_str().unwrap()]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("line 2: 2027-02-08 is a weekday"), "{}", stderr(&wrong));
    assert!(stdout(&run(&["calendar", "show", "2027"])).contains("no holidays on record"), "nothing was saved");

    std::fs::write(&notice, "# 2027\n2027-01-01 休 元旦\n2027-02-07 班 春节\n").unwrap();
    let added = run(&["calendar", "add", notice.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("saved 1 holidays and 1 make-up working days"), "{}", stdout(&added));
    let shown = stdout(&run(&["calendar", "show", "2027"]));
    assert_eq!(shown, "2027-01-01 周五 休 元旦\n2027-02-07 周日 班 春节\n");
    assert!(stdout(&run(&["calendar", "show", "2024"])).contains("2024-10-12 周六 班 国庆节"));

    assert!(run(&["calendar", "remove", "2027-02-07"]).status.success());
    let again = run(&["calendar", "remove", "2027-02-07"]);
    assert!(!again.status.success() && stderr(&again).contains("no day was added"), "{}", stderr(&again));
    let bad = run(&["calendar", "remove", "2027-02-30"]);
    assert!(!bad.status.success() && stderr(&bad).contains("2027-02-30"), "{}", stderr(&bad));
}
