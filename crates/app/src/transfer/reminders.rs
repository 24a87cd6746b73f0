//! The reminder list of a cycle: the raters with sheets still to submit, as CSV.
//!
//! Columns: `rater`, `name`, `email`, `outstanding`, `overdue`, `in_draft`, `due_date` — one
//! row per rater with at least one unsubmitted (approved) sheet, in the completion's order (by
//! name). Meant for a mail merge; the counts say how many sheets each still owes.

use std::io::Write;

use sellerq_domain::person::format_date;
use sellerq_store::Completion;

/// The header line.
pub const HEADER: [&str; 7] = [
    "rater",
    "name",
    "email",
    "outstanding",
    "overdue",
    "in_draft",
    "due_date",
];

/// Writes the outstanding raters of `completion` to `writer`; returns how many rows.
pub fn write_outstanding<W: Write>(completion: &Completion, writer: W) -> std::io::Result<usize> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    let io = |e: ::csv::Error| std::io::Error::other(e.to_string());
    out.write_record(HEADER).map_err(io)?;
    let due = completion.due_date.map(format_date).unwrap_or_default();
    let mut rows = 0;
    for r in &completion.raters {
        let c = r.counts;
        if c.outstanding + c.overdue == 0 {
            continue;
        }
        out.write_record([
            r.rater.as_str(),
            r.name.as_str(),
            r.email.as_ref().map_or("", |e| e.as_str()),
            &c.outstanding.to_string(),
            &c.overdue.to_string(),
            &c.in_draft.to_string(),
            &due,
        ])
        .map_err(io)?;
        rows += 1;
    }
    out.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::{Email, PersonId};
    use sellerq_store::{CompletionCounts, RaterCompletion};

    fn rater(id: &str, email: Option<&str>, outstanding: u32, overdue: u32) -> RaterCompletion {
        RaterCompletion {
            rater: PersonId::parse(id).unwrap(),
            name: format!("Name, {id}"),
            email: email.map(|e| Email::parse(e).unwrap()),
            counts: CompletionCounts {
                assigned: 3,
                submitted: 3 - outstanding - overdue,
                outstanding,
                overdue,
                in_draft: 1,
            },
        }
    }

    #[test]
    fn only_raters_who_still_owe_a_sheet_are_listed() {
        let completion = Completion {
            cycle_id: 1,
            due_date: Some(time::macros::date!(2026 - 06 - 30)),
            past_due: true,
            totals: CompletionCounts::default(),
            raters: vec![
                rater("m-1", Some("mia@acme.test"), 0, 2),
                rater("p-2", None, 0, 0),
                rater("p-3", None, 1, 0),
            ],
            subjects: Vec::new(),
        };
        let mut out = Vec::new();

        let rows = write_outstanding(&completion, &mut out).unwrap();

        assert_eq!(rows, 2);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "rater,name,email,outstanding,overdue,in_draft,due_date\n\
             m-1,\"Name, m-1\",mia@acme.test,0,2,1,2026-06-30\n\
             p-3,\"Name, p-3\",,1,0,1,2026-06-30\n"
        );
    }
}
