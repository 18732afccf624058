use super::*;
use crate::routing::Router;

fn scenario(days: u32, seed: u64) -> Scenario {
    Scenario::new(20, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), days, seed).unwrap()
}

#[test]
fn a_month_of_denizli_smoke() {
    let model = Model::embedded().unwrap();
    let prepared = prepare(&scenario(30, 1), &model).unwrap();
    let router = Router::for_province(prepared.scenario.plate).unwrap();
    let run = run_policy(&prepared, &Policy::default(), &router).unwrap();
    println!("{:#?}", run.report.total);
    println!("units {} cap {:?}", prepared.capacity.len(), prepared.capacity.iter().take(5).collect::<Vec<_>>());
    for (h, s) in &run.report.by_heading { println!("{h} {} {} {:.2}", s.received, s.answered, s.on_time_share); }
    let t = &run.report.total;
    assert_eq!(t.received, t.answered + t.pending + t.not_processed + t.redirected);
}
