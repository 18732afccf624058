//! The trace of a decision: why, step by step, in Turkish (built only by [`Router::explain`] and
//! [`Router::decision_for_unit`]).

use super::router::NONE;
use super::{CompactDecision, Decision, ResolvedRequest, Router, Rule, Visibility};
use crate::org::{Resolution, UnitId};
use crate::taxonomy::Level;

impl Router {
    pub(super) fn trace(
        &self,
        c: &CompactDecision,
        r: &ResolvedRequest,
        d: &Decision,
    ) -> Vec<String> {
        let org = &*self.org;
        let cat = &self.cats[r.category as usize];
        let dist = &org.districts_internal()[r.district as usize];
        let level = match cat.level {
            Level::District => "ilçe",
            Level::Province => "il",
        };
        let mut t = vec![format!(
            "kategori {} ({}): kurum türü {}, {level} düzeyinde; {} / {}, {}",
            cat.code,
            cat.name,
            cat.institution,
            dist.name,
            org.province_name(),
            r.date
        )];
        match (c.registrar, dist.acik_kapi) {
            (NONE, _) => t.push(format!(
                "{} tarihinde faal Açık Kapı birimi yok (il şubesi: {})",
                r.date,
                org.acik_kapi_unit()
                    .active_from
                    .map_or("tarih yok".to_string(), |f| format!("{f} tarihinden beri"))
            )),
            (reg, Some((own, from))) if reg as usize != own => t.push(format!(
                "kayıt: {} — ilçenin Açık Kapı Şefliği {from} tarihinde faal oldu, öncesinde il şubesi kaydeder",
                org.unit_at(reg as usize).name
            )),
            (reg, _) => t.push(format!("kayıt: {}", org.unit_at(reg as usize).name)),
        }
        if r.direct_unknown {
            t.push("istenen birim teşkilatta bulunamadı; olağan yönlendirme uygulandı".into());
        }
        let unit_name = |i: u32| org.unit_at(i as usize).name.clone();
        match c.rule {
            Rule::NotActive => {}
            Rule::Redirect => t.push(format!(
                "vatandaş doğrudan {} birimine başvurmak istedi: yönlendirme",
                unit_name(c.unit)
            )),
            Rule::Ohal => t.push("OHAL kapsamındaki başvuru: OHAL İşlemleri Bürosu".into()),
            Rule::SpecialVali => t.push(format!(
                "özellikli başvuru, önem {} ≥ {}: vali",
                r.importance, self.policy.vali_importance
            )),
            Rule::SpecialKaymakam => t.push(format!(
                "özellikli başvuru, ilçe düzeyinde kategori: {} kaymakamı",
                dist.name
            )),
            Rule::SpecialValiYardimcisi => t.push(format!(
                "özellikli başvuru, önem {} < {}: sorumlu vali yardımcısı",
                r.importance, self.policy.vali_importance
            )),
            Rule::Category(Resolution::AtLevel) => t.push(format!(
                "{} birimi {level} düzeyinde: {}",
                cat.institution,
                unit_name(c.unit)
            )),
            Rule::Category(Resolution::ProvinceFallback) => t.push(format!(
                "{} ilçesinde {} birimi yok: il birimi {}",
                dist.name,
                cat.institution,
                unit_name(c.unit)
            )),
            Rule::Category(Resolution::DistrictFallback) => t.push(format!(
                "ilin tamamına hizmet veren {} birimi yok: {} ilçesine hizmet veren {}",
                cat.institution,
                dist.name,
                unit_name(c.unit)
            )),
            Rule::NoRoute => t.push(format!(
                "{} ilçesinde ve il düzeyinde {} birimi yok",
                dist.name, cat.institution
            )),
            Rule::Override => {}
        }
        if let (Some(u), true) = (d.unit(), c.unit != NONE) {
            let unit = org.unit_at(c.unit as usize);
            if unit.generated {
                t.push(format!(
                    "{u}: üretilmiş varsayılan birim (el ile yazılmış teşkilatta yok)"
                ));
            }
        }
        if c.officer != NONE {
            let o = &org.unit_at(c.unit as usize).officers[c.officer as usize];
            t.push(if c.substitute {
                format!(
                    "görevli: {} ({}) — yetkili {} tarihinde görevde değil, yedek",
                    o.title, o.id, r.date
                )
            } else {
                format!("görevli: {} ({})", o.title, o.id)
            });
        }
        t.push(format!(
            "öncelik: {}, süre: {} iş günü",
            d.priority.name_tr(),
            d.deadline_days
        ));
        if !d.escalation.is_empty() {
            let chain: Vec<&str> = d.escalation.iter().map(UnitId::as_str).collect();
            t.push(format!("üst makam zinciri: {}", chain.join(" → ")));
        }
        if !d.escalation_officers.is_empty() {
            let titles: Vec<&str> = d
                .escalation_officers
                .iter()
                .filter_map(|o| org.officer(o))
                .map(|(_, o)| o.title.as_str())
                .collect();
            t.push(format!("üst görevliler: {}", titles.join(" → ")));
        }
        if let Visibility::Restricted { officers } = &d.visibility {
            t.push(format!(
                "gizli başvuru: yalnızca {} görevli görebilir",
                officers.len()
            ));
        }
        t.push(format!(
            "teşkilat: {} ({}), taksonomi {}",
            org.source(),
            org.version(),
            self.taxonomy_version
        ));
        t
    }
}
