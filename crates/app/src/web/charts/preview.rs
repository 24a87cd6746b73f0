//! Renders every chart with sample data to `target/charts-preview/` (one `.svg` per chart,
//! styled by `app.css` through an `xml-stylesheet` instruction, and `index.html` with all of
//! them as the pages will show them), so a person can look at them:
//!
//! ```text
//! cargo test -p sellerq --lib web::charts::preview
//! cd target/charts-preview
//! chromium --headless --no-sandbox --screenshot=shot.png --window-size=1200,2000 index.html
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

use sellerq_domain::model::default_model;

use super::testkit;
use super::*;

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/charts-preview")
}

fn css_href() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("static/app.css")
        .canonicalize()
        .map(|p| format!("file://{}", p.display()))
        .unwrap_or_else(|_| "app.css".into())
}

fn card(h: &mut String, title: &str, body: &str, numbers: Option<&NumbersTable>) {
    let _ = write!(
        h,
        "<section class=\"card\"><h2 class=\"card-title\">{}</h2><figure \
         class=\"chart-figure\">{body}</figure>",
        escape(title)
    );
    if let Some(t) = numbers {
        h.push_str(&t.details_html("The chart in numbers").replacen(
            "<details",
            "<details open",
            1,
        ));
    }
    h.push_str("</section>");
}

#[test]
fn render_every_chart_to_target_charts_preview() {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("create target/charts-preview");
    let css = css_href();
    let scale = ChartScale::from_model(&default_model().scale);
    let profile = testkit::profile();
    let trends = testkit::trends();
    let team = testkit::team(24);
    let stats = testkit::stats(&team, &scale);

    let svgs = [
        ("radar", radar(&profile, &scale, "radar")),
        (
            "profile-spectrum",
            profile_spectrum(&profile, &scale, 1.0, "profile-spectrum"),
        ),
        ("trend", trend(&trends[0], &scale, "trend")),
        ("distribution", distribution(&stats, &scale, "distribution")),
        ("mean-sd", mean_sd(&stats, &scale, "mean-sd")),
    ];
    for (name, svg) in &svgs {
        let file = format!("<?xml-stylesheet type=\"text/css\" href=\"{css}\"?>\n{svg}\n");
        std::fs::write(dir.join(format!("{name}.svg")), file).expect("write svg");
    }

    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>sellerq charts</title><link \
         rel=\"stylesheet\" href=\"{css}\"></head><body><main class=\"page\"><h1>Charts \
         preview</h1><h2>Seller profile</h2><div class=\"grid grid-2\">"
    );
    let numbers = profile_numbers(&profile, 1.0);
    card(&mut h, "Others and self", &svgs[0].1, Some(&numbers));
    card(&mut h, "On the spectrum", &svgs[1].1, Some(&numbers));
    h.push_str("</div><div class=\"card mt-4\"><h2 class=\"card-title\">Trend across cycles</h2>");
    h.push_str(&trend_grid(&trends, &scale, "trend-grid"));
    h.push_str(&trend_numbers(&trends).details_html("The charts in numbers"));
    h.push_str("</div><h2>Team view</h2><div class=\"grid grid-2\">");
    card(
        &mut h,
        "Mean ± SD",
        &svgs[4].1,
        Some(&mean_sd_numbers(&stats)),
    );
    card(
        &mut h,
        "Distribution",
        &svgs[3].1,
        Some(&distribution_numbers(&stats, &scale)),
    );
    h.push_str("</div><section class=\"card mt-4\"><h2 class=\"card-title\">Heatmap</h2>");
    h.push_str(&heatmap(
        &QualityLabel::from_model(default_model()),
        &team,
        &scale,
        "heatmap",
        "Quality scores of the team, cycle 2026-H1",
        "Seller",
    ));
    h.push_str("</section></main></body></html>\n");
    std::fs::write(dir.join("index.html"), h).expect("write index.html");

    // One page per chart, in a column as wide as a card on a desktop profile page.
    let page = |body: &str| {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta \
             name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link \
             rel=\"stylesheet\" href=\"{css}\"></head><body><main class=\"page\" \
             style=\"max-width: 620px\">{body}</main></body></html>\n"
        )
    };
    for (name, svg) in &svgs {
        let mut body = String::new();
        card(&mut body, name, svg, None);
        std::fs::write(dir.join(format!("one-{name}.html")), page(&body)).expect("write page");
    }
    assert!(dir.join("radar.svg").exists());
}
