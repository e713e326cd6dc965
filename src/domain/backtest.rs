//! How well a ranking by risk foretold the churn that followed.

use serde::Serialize;

use super::risk::Band;

/// One account: its score on the day, and whether it churned within the horizon after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub score: f64,
    pub band: Band,
    pub churned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandRate {
    pub band: Band,
    pub accounts: usize,
    pub churned: usize,
    pub churn_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub accounts: usize,
    pub churned: usize,
    /// The chance that a churner scored above a stayer (ties count half): 0.5 is a coin toss.
    pub auc: Option<f64>,
    /// High, medium, low.
    pub bands: Vec<BandRate>,
    /// Churners among the highest-scored tenth of accounts, as a share of all churners.
    pub top_decile_capture: Option<f64>,
    pub top_decile_accounts: usize,
}

pub fn evaluate(outcomes: &[Outcome]) -> Evaluation {
    let churned = outcomes.iter().filter(|o| o.churned).count();
    let bands = [Band::High, Band::Medium, Band::Low]
        .into_iter()
        .map(|band| {
            let in_band: Vec<&Outcome> = outcomes.iter().filter(|o| o.band == band).collect();
            let lost = in_band.iter().filter(|o| o.churned).count();
            BandRate {
                band,
                accounts: in_band.len(),
                churned: lost,
                churn_rate: if in_band.is_empty() {
                    0.0
                } else {
                    lost as f64 / in_band.len() as f64
                },
            }
        })
        .collect();
    let mut by_score: Vec<&Outcome> = outcomes.iter().collect();
    by_score.sort_by(|a, b| b.score.total_cmp(&a.score));
    let top = outcomes.len().div_ceil(10);
    let caught = by_score.iter().take(top).filter(|o| o.churned).count();
    Evaluation {
        accounts: outcomes.len(),
        churned,
        auc: auc(outcomes),
        bands,
        top_decile_capture: (churned > 0).then(|| caught as f64 / churned as f64),
        top_decile_accounts: top,
    }
}

/// ROC AUC by ranks (Mann-Whitney U), tied scores sharing their average rank.
fn auc(outcomes: &[Outcome]) -> Option<f64> {
    let positives = outcomes.iter().filter(|o| o.churned).count();
    let negatives = outcomes.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.score.total_cmp(&b.score));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].score == sorted[i].score {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mean_rank = (i + j + 2) as f64 / 2.0;
        rank_sum += mean_rank * sorted[i..=j].iter().filter(|o| o.churned).count() as f64;
        i = j + 1;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(score: f64, churned: bool) -> Outcome {
        let band = if score >= 45.0 {
            Band::High
        } else if score >= 25.0 {
            Band::Medium
        } else {
            Band::Low
        };
        Outcome {
            score,
            band,
            churned,
        }
    }

    #[test]
    fn a_perfect_ranking_has_auc_one_and_a_reversed_one_zero() {
        let perfect = [o(90.0, true), o(80.0, true), o(10.0, false), o(5.0, false)];
        assert_eq!(evaluate(&perfect).auc, Some(1.0));
        let reversed = [o(90.0, false), o(80.0, false), o(10.0, true), o(5.0, true)];
        assert_eq!(evaluate(&reversed).auc, Some(0.0));
    }

    #[test]
    fn ties_count_half() {
        let tied = [o(50.0, true), o(50.0, false)];
        assert_eq!(evaluate(&tied).auc, Some(0.5));
        // One churner above two stayers, one tied with a third: (2 + 0.5) / 3.
        let mixed = [
            o(60.0, true),
            o(40.0, false),
            o(30.0, false),
            o(60.0, false),
        ];
        let auc = evaluate(&mixed).auc.unwrap();
        assert!((auc - 2.5 / 3.0).abs() < 1e-12, "{auc}");
    }

    #[test]
    fn auc_needs_both_outcomes() {
        assert_eq!(evaluate(&[o(10.0, false), o(20.0, false)]).auc, None);
        assert_eq!(evaluate(&[]).auc, None);
        assert_eq!(evaluate(&[]).top_decile_capture, None);
    }

    #[test]
    fn band_rates_and_the_top_tenth() {
        let mut outcomes: Vec<Outcome> = (0..20).map(|i| o(f64::from(i), i % 10 == 0)).collect();
        outcomes.push(o(95.0, true));
        outcomes.push(o(90.0, true));
        outcomes.push(o(50.0, false));
        let e = evaluate(&outcomes);
        assert_eq!((e.accounts, e.churned), (23, 4));
        let high = &e.bands[0];
        assert_eq!((high.band, high.accounts, high.churned), (Band::High, 3, 2));
        assert!((high.churn_rate - 2.0 / 3.0).abs() < 1e-12);
        let low = &e.bands[2];
        assert_eq!((low.accounts, low.churned), (20, 2));
        // The top tenth of 23 is 3 accounts (95, 90, 50): 2 of the 4 churners.
        assert_eq!(e.top_decile_accounts, 3);
        assert_eq!(e.top_decile_capture, Some(0.5));
    }
}
