//! The workbench's routes driven without a socket (tower's `oneshot` on the router), on the
//! e2e fixtures: what each page and API answers, the headers every answer carries, and that
//! nothing but the files served can be asked for.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sot_serve::{router, Workbench};
use tower::ServiceExt;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e/fixtures")
}

fn workbench() -> Arc<Workbench> {
    Workbench::load(&[fixtures()]).expect("the fixtures load")
}

/// The key the index gives a fixture.
fn key(name: &str) -> String {
    let library = workbench().library();
    let entry = library
        .entries
        .iter()
        .find(|e| e.key.ends_with(name))
        .expect("the fixture is served");
    entry.key.clone()
}

fn query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router(workbench())
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("the body is read");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

async fn get(uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    send(Request::get(uri).body(Body::empty()).expect("a request")).await
}

async fn post(uri: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    send(
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("a request"),
    )
    .await
}

#[tokio::test]
async fn every_answer_carries_the_policy_and_the_index_lists_the_files() {
    let (status, headers, body) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    let policy = headers["content-security-policy"].to_str().expect("ascii");
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(body.contains("first_look.sot") && body.contains("hostile.sot"));
    let (_, headers, _) = get("/no/such/page").await;
    assert!(headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn only_the_files_served_can_be_asked_for() {
    for file in [
        "/etc/passwd",
        "../Cargo.toml",
        "first_look.sot/../../Cargo.toml",
    ] {
        for page in ["handbook", "cases", "form"] {
            let (status, _, body) = get(&format!("/{page}?file={}", query(file))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{page} {file}");
            assert!(!body.contains("root:"), "{body}");
        }
    }
}

#[tokio::test]
async fn markup_in_protocol_text_is_escaped_on_every_page() {
    let hostile = key("hostile.sot");
    for page in [
        "/",
        "/handbook?file=",
        "/cases?file=",
        "/form?case=maria&file=",
    ] {
        let uri = if page == "/" {
            page.to_string()
        } else {
            format!("{page}{}", query(&hostile))
        };
        let (status, _, body) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!body.contains("<script>alert"), "{uri}");
        assert!(!body.contains("<img src=x"), "{uri}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{uri} shows the title"
        );
        // The one script is the embedded asset.
        assert_eq!(body.matches("<script").count(), 1, "{uri}");
        assert!(body.contains(r#"<script src="/assets/workbench.js" defer>"#));
    }
}

#[tokio::test]
async fn the_form_offers_each_indicator_by_its_type() {
    let (_, _, body) = get(&format!(
        "/form?file={}&case=maria&visit=1",
        query(&key("first_look.sot"))
    ))
    .await;
    // yes/no as toggles with "not examined" and "untestable"; a side as a select with the
    // case's value chosen; a measure as a number input with its unit and bounds; the grid.
    assert!(body.contains(r#"data-indicator="pain_on_cough" data-kind="bool""#));
    assert!(body.contains(r#"value="untestable""#) && body.contains("not examined"));
    assert!(body.contains(r#"<option value="right" selected>right</option>"#));
    assert!(body.contains(r#"data-indicator="leg_length_difference" data-kind="measure" data-unit="mm" data-min="0" data-max="40""#));
    assert!(
        body.contains(r#"type="number" inputmode="decimal" step="any" min="0" max="40" value="6""#)
    );
    assert!(body.contains(
        r#"data-args="{&quot;line&quot;:&quot;2&quot;,&quot;area&quot;:&quot;3&quot;}""#
    ));
    // The fiber at line 2, area 3 is 2 in the case; the others 0.
    assert_eq!(
        body.matches(r#"<option value="2" selected>2</option>"#)
            .count(),
        1
    );
    assert_eq!(
        body.matches(r#"<option value="0" selected>0</option>"#)
            .count(),
        20
    );
}

#[tokio::test]
async fn evaluation_gives_the_report_or_each_problem_with_its_place() {
    let file = query(&key("first_look.sot"));
    let good = r#"{"cases": [{"name": "m", "visits": [{"visit": 1, "findings": {"arm_fossa": "left", "short_leg": "left", "osteoporosis": "no"}}]}]}"#;
    let (status, _, body) = post(&format!("/api/evaluate?file={file}"), good).await;
    assert_eq!(status, StatusCode::OK);
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let html = answer["html"].as_str().expect("a report");
    assert!(
        html.contains("block(category: II, short_leg: left)"),
        "{html}"
    );
    assert!(answer["problems"].as_array().is_some_and(Vec::is_empty));

    let bad = r#"{"cases": [{"name": "m", "visits": [{"visit": 1, "findings": {"leg_length_difference": "99 mm", "short_leg": "up"}}]}]}"#;
    let (_, _, body) = post(&format!("/api/evaluate?file={file}"), bad).await;
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(answer.get("html").is_none());
    let problems = answer["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{problems:?}");
    for (problem, at) in problems.iter().zip(["\"99 mm\"", "\"up\""]) {
        assert_eq!(problem["code"], "E0501");
        let start = problem["start"].as_u64().expect("start") as usize;
        let end = problem["end"].as_u64().expect("end") as usize;
        assert_eq!(&bad[start..end], at, "{problem}");
    }
}

#[tokio::test]
async fn an_exported_case_is_the_checked_data_in_the_language() {
    let file = query(&key("first_look.sot"));
    let data = r#"{"cases": [{"name": "lea", "visits": [{"visit": 2, "label": "a \"quoted\" label", "findings": {"arm_fossa": "left", "leg_length_difference": "6 mm", "pelvic_torsion": "untestable", "occipital_fiber": [{"line": "2", "area": "3", "value": "2"}]}}]}]}"#;
    let (status, headers, text) = post(&format!("/api/export?file={file}&format=sot"), data).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        headers["content-disposition"],
        r#"attachment; filename="lea.sot""#
    );
    assert!(text.contains("use \"first_look.sot\""), "{text}");
    assert!(text.contains("case lea {"), "{text}");
    assert!(text.contains(r#"visit 2 "a \"quoted\" label" {"#), "{text}");
    assert!(text.contains("leg_length_difference = 6 mm"), "{text}");
    assert!(text.contains("pelvic_torsion = untestable"), "{text}");
    assert!(
        text.contains("occipital_fiber(line: 2, area: 3) = 2"),
        "{text}"
    );

    let (status, _, json) = post(&format!("/api/export?file={file}&format=json"), data).await;
    assert_eq!(status, StatusCode::OK);
    let back: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let sent: serde_json::Value = serde_json::from_str(data).expect("JSON");
    assert_eq!(back, sent);

    // A case named as one of the protocol's (E0102 in the .sot file) is said at the name.
    let same = data.replace("\"lea\"", "\"maria\"");
    let (status, _, body) = post(&format!("/api/export?file={file}&format=sot"), &same).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let problem = &answer["problems"][0];
    assert_eq!(problem["code"], "E0102", "{answer}");
    let start = problem["start"].as_u64().expect("start") as usize;
    let end = problem["end"].as_u64().expect("end") as usize;
    assert_eq!(&same[start..end], "\"maria\"");

    // Bad data is not exported: the same problems as an evaluation.
    let bad = data.replace("6 mm", "60 mm");
    let (status, _, body) = post(&format!("/api/export?file={file}&format=sot"), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("E0501"), "{body}");
}

#[tokio::test]
async fn a_broken_protocol_shows_its_diagnostics() {
    let dir = std::env::temp_dir().join(format!("sot-serve-routes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let good = std::fs::read_to_string(fixtures().join("first_look.sot")).expect("the fixture");
    std::fs::write(
        dir.join("p.sot"),
        good.replace("arm_fossa != none", "arm_fosa != none"),
    )
    .expect("written");
    let workbench = Workbench::load(std::slice::from_ref(&dir)).expect("loads");
    let key = workbench.library().entries[0].key.clone();
    let app = router(workbench.clone());
    let response = app
        .clone()
        .oneshot(
            Request::get(format!("/cases?file={}", query(&key)))
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("answers");
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("read");
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("This protocol has errors") && body.contains("E0101"));
    // Fixed on disk and reloaded (as the watcher does): the report is back.
    std::fs::write(dir.join("p.sot"), &good).expect("written");
    assert_eq!(workbench.reload(), Ok(2));
    let response = app
        .oneshot(
            Request::get(format!("/cases?file={}", query(&key)))
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("answers");
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("read");
    let body = String::from_utf8_lossy(&body);
    assert!(!body.contains("This protocol has errors") && body.contains("table class=\"summary"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn practice_replays_the_examinations_and_scores_a_missed_red_flag_first() {
    let file = key("red_flag.sot");
    let (status, _, page) = get(&format!(
        "/practice?file={}&case=rosa&visit=1",
        query(&file)
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"practice\""), "{page}");
    assert!(page.contains("Commit the answer"), "{page}");
    // The bar of every file's page links the practice page.
    let (_, _, form) = get(&format!("/form?file={}", query(&file))).await;
    assert!(form.contains("/practice?file="), "{form}");
    // The hidden findings are not in the page.
    assert!(!page.contains(">yes<"), "{page}");

    let body = serde_json::json!({
        "file": file, "case": "rosa", "visit": 1, "examined": [], "hint": true,
        "answer": { "category": "II", "adjustments": ["block(category: II, short_leg: right)"] }
    });
    let (status, _, reply) = post("/api/practice", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(reply["examined"].as_array().map(Vec::len), Some(0));
    let score = reply["score"].as_str().expect("a score");
    let first = score.find("class=\"item").expect("an item");
    assert!(
        score[first..].contains("MISSED RED FLAG cauda_equina"),
        "{score}"
    );
    assert!(score.contains("A red flag was missed"), "{score}");
    assert!(
        reply["hint"]
            .as_str()
            .is_some_and(|h| h.contains("saddle_anesthesia")),
        "{reply}"
    );

    // A call without every argument is said, by its part, and not scored.
    let body = serde_json::json!({
        "file": file, "case": "rosa", "visit": 1, "examined": [0],
        "answer": { "category": "refer", "adjustments": ["block(category: II)"] }
    });
    let (_, _, reply) = post("/api/practice", &body.to_string()).await;
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    assert!(reply.get("score").is_none(), "{reply}");
    assert_eq!(reply["errors"][0][0], "adjustments", "{reply}");
    assert_eq!(
        reply["examined"].as_array().map(Vec::len),
        Some(1),
        "{reply}"
    );

    let body = serde_json::json!({ "file": file, "case": "nobody", "visit": 1 });
    let (status, _, _) = post("/api/practice", &body.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A finding number the protocol does not have is refused, never skipped.
    let body = serde_json::json!({
        "file": file, "case": "rosa", "visit": 1, "examined": [0, 99999],
    });
    let (status, _, reply) = post("/api/practice", &body.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.contains("99999"), "{reply}");
}
