//! Coverage report: does every (category, district) of a province have a route?

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Organisation, Resolution};
use crate::geo::ProvincePlate;
use crate::redact::csv_field;
use crate::taxonomy::{CategoryCode, InstitutionTypeCode, Level, Taxonomy};

/// A (category, district) with no unit of the category's institution type, neither at the
/// category's level in the district nor at the other level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The category.
    pub category: CategoryCode,
    /// The institution type that should handle it.
    pub institution: InstitutionTypeCode,
    /// The category's level.
    pub level: Level,
    /// The district.
    pub district: String,
}

/// Kapsam raporu: for every (category, district) of a province, whether a route exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// Province.
    pub plate: ProvincePlate,
    /// Province name.
    pub province: String,
    /// Where the organisation came from.
    pub source: String,
    /// Taxonomy version checked against.
    pub taxonomy_version: String,
    /// Number of categories.
    pub categories: usize,
    /// Number of districts.
    pub districts: usize,
    /// Routed at the category's level.
    pub at_level: usize,
    /// District categories routed to the province unit.
    pub province_fallback: usize,
    /// Province categories routed to the district's unit.
    pub district_fallback: usize,
    /// Every (category, district) without a route.
    pub gaps: Vec<Gap>,
}

impl CoverageReport {
    /// Whether every (category, district) has a route.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }

    /// The institution types with at least one gap, sorted, without repeats.
    pub fn missing_types(&self) -> Vec<&InstitutionTypeCode> {
        let mut v: Vec<_> = self.gaps.iter().map(|g| &g.institution).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The gaps as CSV (`category,institution,level,district`, header first; text cells through
    /// [`csv_field`]: quoted when needed, never read as a formula).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("category,institution,level,district\n");
        for g in &self.gaps {
            let level = match g.level {
                Level::District => "district",
                Level::Province => "province",
            };
            s.push_str(&format!(
                "{},{},{},{}\n",
                csv_field(g.category.as_str()),
                csv_field(g.institution.as_str()),
                level,
                csv_field(&g.district)
            ));
        }
        s
    }
}

impl fmt::Display for CoverageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs = self.categories * self.districts;
        writeln!(
            f,
            "{} ({}) — {}, taksonomi {}",
            self.province, self.plate, self.source, self.taxonomy_version
        )?;
        writeln!(
            f,
            "{} kategori × {} ilçe = {pairs}: {} kendi düzeyinde, {} il birimine, {} ilçe birimine yönlendi, {} boşluk",
            self.categories,
            self.districts,
            self.at_level,
            self.province_fallback,
            self.district_fallback,
            self.gaps.len()
        )?;
        for g in &self.gaps {
            writeln!(
                f,
                "  boşluk: {} ({}): {} birimi yok",
                g.category, g.district, g.institution
            )?;
        }
        Ok(())
    }
}

pub(super) fn report(org: &Organisation, tax: &Taxonomy) -> CoverageReport {
    let mut r = CoverageReport {
        plate: org.plate(),
        province: org.province_name().to_string(),
        source: org.source().to_string(),
        taxonomy_version: tax.version().to_string(),
        categories: tax.categories().len(),
        districts: org.districts_internal().len(),
        at_level: 0,
        province_fallback: 0,
        district_fallback: 0,
        gaps: Vec::new(),
    };
    for c in tax.categories() {
        for (d, district) in org.districts_internal().iter().enumerate() {
            match org.resolve_index(&c.institution, c.level, d) {
                Some((_, Resolution::AtLevel)) => r.at_level += 1,
                Some((_, Resolution::ProvinceFallback)) => r.province_fallback += 1,
                Some((_, Resolution::DistrictFallback)) => r.district_fallback += 1,
                None => r.gaps.push(Gap {
                    category: c.code.clone(),
                    institution: c.institution.clone(),
                    level: c.level,
                    district: district.name.clone(),
                }),
            }
        }
    }
    r
}
