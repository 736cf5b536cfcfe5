//! The crates' stairs, checked over the source: the binary and the benches run use cases
//! through this crate, never through the HTTP crate's handlers, pages or imports; the
//! JSON API and the pages never import each other; and this crate never names the HTTP
//! crate or axum.

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crates folder").to_path_buf()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The lines under `dir` that name any of `forbidden` outside comments, as `file:line`.
fn offenders(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in sources(dir) {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if forbidden.iter().any(|f| code.contains(f)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

const HTTP_USE_CASES: [&str; 3] = ["tongxin_web::api", "tongxin_web::pages", "tongxin_web::registry_import"];

#[test]
fn the_binary_and_benches_use_the_application_crate() {
    for dir in ["tongxin/src", "tongxin/tests", "tongxin-bench/benches", "tongxin-bench/src"] {
        let dir = crates_dir().join(dir);
        if dir.exists() {
            let found = offenders(&dir, &HTTP_USE_CASES);
            assert!(found.is_empty(), "front ends reach into the HTTP crate's use cases:\n{}", found.join("\n"));
        }
    }
    // Only `serve` needs the HTTP crate at all.
    let commands = crates_dir().join("tongxin/src/commands");
    let web: Vec<String> =
        offenders(&commands, &["tongxin_web"]).into_iter().filter(|line| !line.contains("commands/serve.rs")).collect();
    assert!(web.is_empty(), "commands other than serve use the HTTP crate:\n{}", web.join("\n"));
}

#[test]
fn the_api_and_the_pages_do_not_import_each_other() {
    let web = crates_dir().join("tongxin-web/src");
    let found = offenders(&web.join("pages"), &["crate::api", "super::super::api"]);
    assert!(found.is_empty(), "pages import from the JSON API:\n{}", found.join("\n"));
    let found = offenders(&web.join("api"), &["crate::pages", "super::super::pages"]);
    assert!(found.is_empty(), "the JSON API imports from pages:\n{}", found.join("\n"));
}

#[test]
fn use_cases_know_nothing_of_http() {
    let found = offenders(&crates_dir().join("tongxin-app/src"), &["axum", "tongxin_web", "IntoResponse", "askama"]);
    assert!(found.is_empty(), "the application crate reaches for HTTP:\n{}", found.join("\n"));
}

#[test]
fn the_checks_see_what_they_check() {
    // A check over an empty or misnamed folder would pass whatever the code did.
    assert!(sources(&crates_dir().join("tongxin-web/src/pages")).len() > 20);
    assert!(sources(&crates_dir().join("tongxin/src/commands")).len() > 3);
    let planted = offenders(&crates_dir().join("tongxin-web/src"), &["pub fn router(app: &App)"]);
    assert_eq!(planted.len(), 1, "the scan finds a known line: {planted:?}");
}
