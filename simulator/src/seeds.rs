//! Many seeds of one scenario: every random choice (the sellers' asks) drawn again, the
//! households and the rules the same. Reports each KPI's mean with a 95 % confidence interval
//! (Student's t over the seeds), so a claim can be read against the asks' noise.

use std::{collections::BTreeMap, fmt::Write as _, path::Path};

use serde::Serialize;

use crate::report::Report;

/// A KPI over the seeds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Estimate {
    /// Mean over the seeds.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval of the mean (0 for one seed).
    pub ci95: f64,
    /// Smallest seen.
    pub min: f64,
    /// Largest seen.
    pub max: f64,
}

/// Student's t quantile 0.975 for `df` degrees of freedom (1.96 beyond 30).
fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => 0.0,
        1..=30 => TABLE[df - 1],
        _ => 1.96,
    }
}

impl Estimate {
    /// The estimate from one value per seed.
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        let variance = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Self {
            mean,
            ci95: t975(n.saturating_sub(1)) * (variance / n.max(1) as f64).sqrt(),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// Estimates per scenario kind and KPI over the seeds' reports.
#[derive(Debug, Clone, Serialize)]
pub struct SeedSummary {
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// `kind -> KPI -> estimate`; group costs as `cost_<group>_eur`, the median savings as
    /// `savings_<group>_median_eur`.
    pub estimates: BTreeMap<String, BTreeMap<String, Estimate>>,
}

impl SeedSummary {
    /// The summary of one report per seed.
    pub fn new(seeds: Vec<u64>, reports: &[Report]) -> Self {
        let mut values: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
        for report in reports {
            for (kind, k) in &report.scenarios {
                let kpis = values.entry(kind.clone()).or_default();
                let mut put = |name: String, value: f64| kpis.entry(name).or_default().push(value);
                put("par_physical".into(), k.par_physical);
                put("par_metered".into(), k.par_metered);
                put("peak_import_kw".into(), k.peak_import_kw);
                put("p2p_kwh".into(), k.p2p_kwh);
                put("p2p_mean_price".into(), k.p2p_mean_price);
                put("self_sufficiency".into(), k.self_sufficiency);
                put("savings_gini".into(), k.savings_gini);
                put(
                    "grid_operator_net_revenue_eur".into(),
                    k.grid_operator_net_revenue_eur,
                );
                for (group, cost) in &k.cost_eur {
                    put(format!("cost_{group}_eur"), *cost);
                }
                for (group, spread) in &k.savings_eur {
                    put(format!("savings_{group}_median_eur"), spread.median);
                }
            }
        }
        let estimates = values
            .into_iter()
            .map(|(kind, kpis)| {
                let kpis = kpis
                    .into_iter()
                    .map(|(name, v)| (name, Estimate::of(&v)))
                    .collect();
                (kind, kpis)
            })
            .collect();
        Self { seeds, estimates }
    }

    /// Writes `seeds.json` into `dir`.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::write(
            dir.join("seeds.json"),
            serde_json::to_string_pretty(self)? + "\n",
        )?;
        Ok(())
    }

    /// The table printed at the end of a run: mean ± CI of the headline KPIs.
    pub fn table(&self) -> String {
        let mut out = format!("over {} seeds (mean ± 95 % CI):\n", self.seeds.len());
        for (kind, kpis) in &self.estimates {
            let _ = write!(out, "  {kind:<11}");
            for (name, estimate) in kpis {
                if name.starts_with("par_physical") || name.starts_with("cost_") {
                    let _ = write!(out, " {name} {:.4} ± {:.4};", estimate.mean, estimate.ci95);
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_use_students_t() {
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        // sd 1, n 3: 4.303 / sqrt(3).
        assert!((e.ci95 - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!((e.min, e.max), (1.0, 3.0));
        assert_eq!(Estimate::of(&[5.0]).ci95, 0.0);
        assert_eq!(t975(100), 1.96);
    }
}
