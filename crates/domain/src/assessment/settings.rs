//! Per-organisation assessment settings: the anonymity threshold and the blind-spot threshold.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// How an organisation's scores are shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// Peer ratings of a quality count only when at least this many peers scored it
    /// (default 3). `1` turns anonymity off: every peer rating counts, which reproduces the
    /// plain FORMATS.md figures of `sellerq analyze`.
    pub anonymity_threshold: u32,
    /// A quality is a blind spot when |self − others| is at least this many scale points
    /// (default 1.0).
    pub blind_spot_threshold: f64,
}

impl OrgSettings {
    /// The largest anonymity threshold accepted.
    pub const MAX_ANONYMITY_THRESHOLD: u32 = 20;

    /// The anonymity rule: do the scores of `peers` peers on one quality count (enough of
    /// them that none can be singled out)?
    pub fn peers_count(&self, peers: u32) -> bool {
        peers >= self.anonymity_threshold
    }

    /// Checks typed values (JSON, store rows).
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if !(1..=Self::MAX_ANONYMITY_THRESHOLD).contains(&self.anonymity_threshold) {
            errs.push(
                "anonymity_threshold",
                format!(
                    "must be a whole number from 1 to {}",
                    Self::MAX_ANONYMITY_THRESHOLD
                ),
            );
        }
        if !(self.blind_spot_threshold.is_finite()
            && self.blind_spot_threshold > 0.0
            && self.blind_spot_threshold <= 10.0)
        {
            errs.push(
                "blind_spot_threshold",
                "must be a number of scale points above 0 and at most 10",
            );
        }
        errs.into_result(())
    }

    /// Parses form fields.
    pub fn parse(
        anonymity_threshold: &str,
        blind_spot_threshold: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let a = anonymity_threshold
            .trim()
            .parse::<u32>()
            .map_err(|_| errs.push("anonymity_threshold", "must be a whole number from 1 to 20"))
            .ok();
        let b = blind_spot_threshold
            .trim()
            .parse::<f64>()
            .map_err(|_| {
                errs.push(
                    "blind_spot_threshold",
                    "must be a number (use . as the decimal point)",
                )
            })
            .ok();
        let (Some(anonymity_threshold), Some(blind_spot_threshold)) = (a, b) else {
            return Err(errs);
        };
        let s = Self {
            anonymity_threshold,
            blind_spot_threshold,
        };
        s.check().map(|()| s)
    }
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            anonymity_threshold: 3,
            blind_spot_threshold: 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_three_peers_and_one_scale_point() {
        let d = OrgSettings::default();
        assert_eq!(d.anonymity_threshold, 3);
        assert_eq!(d.blind_spot_threshold, 1.0);
        assert!(d.check().is_ok());
    }

    #[test]
    fn thresholds_out_of_range_are_refused_with_their_field() {
        let e = OrgSettings::parse("0", "-1").unwrap_err();
        assert!(e.get("anonymity_threshold").is_some());
        assert!(e.get("blind_spot_threshold").is_some());
        assert!(OrgSettings::parse("three", "1").is_err());
        assert_eq!(
            OrgSettings::parse(" 5 ", "0.5").unwrap(),
            OrgSettings {
                anonymity_threshold: 5,
                blind_spot_threshold: 0.5
            }
        );
    }
}
