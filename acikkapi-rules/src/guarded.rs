//! Replacements for the Rhai package functions that broke the sandbox (issue 12, found by the
//! abuse catalogue `tests/abuse.rs`), registered in the engine's own namespace so that they take
//! precedence over the packages' versions of the same signature:
//!
//! - **Closures whose errors were swallowed.** Rhai's `sort`/`sort_by`/`order`/`order_by` and
//!   `dedup` ignore their comparer's errors (a size error, the operations or time limit) and call
//!   it again for the next pair. Here every error ends the call.
//! - **Panics on orders that are not total.** Rust's `slice::sort_by` (1.81 and later) may panic
//!   when the comparison is not a total order — a script's comparer, or `sort()` on floats with a
//!   NaN (Rhai catches the first panic, not the second). Here sorting is [`merge_sort_by`], which
//!   gives *some* permutation for any comparison, consistent or not, and never panics.
//! - **Results built before the size check.** `replace` built its whole result (up to 256 MB from
//!   16 KiB inputs) before Rhai compared it with the string limit; `map`/`zip` collected every
//!   closure result (each under the limit, together far over it) before the array was checked.
//!   Here the size is worked out first, or counted while the result grows, and the call fails as
//!   soon as it would pass a limit.
//!
//! Audit of the other registered package functions (Rhai 1.27): `pad` (string and array), `+`,
//! `+=`, `append`, `push`, `insert`, `splice`, `extract`, `split*`, `to_chars`, `to_string` /
//! `to_debug` of arrays and maps, `keys`, `values`, `mixin`, `fill_with`, `filter`, `reduce`,
//! `for_each` either check before allocating or allocate at most a small multiple of values that
//! are already within the limits, and every result is checked by Rhai before it is stored.

use std::cmp::Ordering;

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FnPtr, INT, ImmutableString, Map, NativeCallContext,
};

use crate::engine;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Stable merge sort with a fallible comparison that need not be consistent: whatever `cmp`
/// answers, the result is a permutation of the input, every index stays in bounds, and the number
/// of comparisons is at most `n ⌈log₂ n⌉`. The first error of `cmp` ends the sort.
pub(crate) fn merge_sort_by<T, E>(
    items: Vec<T>,
    mut cmp: impl FnMut(&T, &T) -> Result<Ordering, E>,
) -> Result<Vec<T>, E> {
    let n = items.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged: Vec<usize> = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        merged.clear();
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = mid.saturating_add(width).min(n);
            let (left, right) = (&order[start..mid], &order[mid..end]);
            let (mut i, mut j) = (0, 0);
            while let (Some(&a), Some(&b)) = (left.get(i), right.get(j)) {
                // Take from the right only when it is strictly smaller: stable.
                if cmp(&items[a], &items[b])? == Ordering::Greater {
                    merged.push(b);
                    j += 1;
                } else {
                    merged.push(a);
                    i += 1;
                }
            }
            merged.extend_from_slice(left.get(i..).unwrap_or_default());
            merged.extend_from_slice(right.get(j..).unwrap_or_default());
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width = width.saturating_mul(2);
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect())
}

/// Notes a limit error coming back from a closure (so that the rest of the evaluation stops) and
/// passes it on.
fn passed_on(ctx: &NativeCallContext, err: Box<EvalAltResult>) -> Box<EvalAltResult> {
    engine::note_limit(&err, ctx.call_position());
    err
}

/// The order a comparer's answer means: a number (its sign) or a boolean (`true`: `a` first).
fn ordering_of(value: &Dynamic) -> Res<Ordering> {
    if let Ok(n) = value.as_int() {
        return Ok(n.cmp(&0));
    }
    match value.as_bool() {
        Ok(true) => Ok(Ordering::Less),
        Ok(false) => Ok(Ordering::Greater),
        Err(typ) => {
            Err(format!("sort: the comparer must return a number or true/false, not {typ}").into())
        }
    }
}

fn sort_with_comparer(ctx: &NativeCallContext, array: &mut Array, comparer: &FnPtr) -> Res<()> {
    if array.len() <= 1 {
        return Ok(());
    }
    // A copy (cheap: strings are shared): a comparer error caught by `try` leaves `array` as it was.
    let sorted = merge_sort_by(array.clone(), |a, b| {
        comparer
            .call_raw(ctx, None, [a.clone(), b.clone()])
            .map_err(|e| passed_on(ctx, e))
            .and_then(|v| ordering_of(&v))
    });
    *array = sorted?;
    Ok(())
}

/// The built-in order of `sort()`: elements of one type among numbers, characters, strings,
/// booleans and `()`; floats in IEEE total order (NaN sorts last, not "equal to everything").
fn builtin_sort(array: &mut Array, descending: bool) -> Res<()> {
    let Some(first) = array.first() else {
        return Ok(());
    };
    let typ = first.type_id();
    if array.iter().any(|a| a.type_id() != typ) {
        return Err(Box::new(EvalAltResult::ErrorFunctionNotFound(
            "elements of different types cannot be sorted".into(),
            rhai::Position::NONE,
        )));
    }
    let key = |d: &Dynamic| -> Option<Key> {
        if let Ok(n) = d.as_int() {
            Some(Key::Int(n))
        } else if let Ok(f) = d.as_float() {
            Some(Key::Float(f))
        } else if let Ok(c) = d.as_char() {
            Some(Key::Char(c))
        } else if let Ok(b) = d.as_bool() {
            Some(Key::Bool(b))
        } else if d.is_unit() {
            Some(Key::Unit)
        } else {
            d.as_immutable_string_ref()
                .ok()
                .map(|s| Key::Str((*s).clone()))
        }
    };
    let Some(mut keyed) = array
        .iter()
        .map(|d| key(d).map(|k| (k, d.clone())))
        .collect::<Option<Vec<_>>>()
    else {
        return Err(Box::new(EvalAltResult::ErrorFunctionNotFound(
            format!("elements of {} cannot be sorted", first.type_name()),
            rhai::Position::NONE,
        )));
    };
    // `Key::cmp` is a total order on keys of one type: the standard sort cannot panic here.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if descending {
        keyed.reverse();
    }
    *array = keyed.into_iter().map(|(_, d)| d).collect();
    Ok(())
}

/// The sort key of a built-in sort; every variant is totally ordered.
#[derive(PartialEq)]
enum Key {
    Int(INT),
    Float(f64),
    Char(char),
    Bool(bool),
    Unit,
    Str(ImmutableString),
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Float(a), Key::Float(b)) => a.total_cmp(b),
            (Key::Char(a), Key::Char(b)) => a.cmp(b),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Str(a), Key::Str(b)) => a.as_str().cmp(b.as_str()),
            (Key::Unit, Key::Unit) => Ordering::Equal,
            // Arrays are checked to hold one type; between types, a fixed order.
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Int(_) => 0,
            Key::Float(_) => 1,
            Key::Char(_) => 2,
            Key::Bool(_) => 3,
            Key::Unit => 4,
            Key::Str(_) => 5,
        }
    }
}

/// `dedup`: removes consecutive elements for which `same(kept, next)` is true.
fn dedup_with(array: &mut Array, mut same: impl FnMut(&Dynamic, &Dynamic) -> Res<bool>) -> Res<()> {
    let mut kept: Array = Vec::with_capacity(array.len());
    for item in std::mem::take(array) {
        let duplicate = match kept.last() {
            Some(last) => same(last, &item)?,
            None => false,
        };
        if !duplicate {
            kept.push(item);
        }
    }
    *array = kept;
    Ok(())
}

/// Running data sizes of a result being built, checked against the engine's limits at each step
/// (the same measure as Rhai's own check: elements and string bytes, nested values included).
struct Budget<'a> {
    engine: &'a Engine,
    arrays: usize,
    maps: usize,
    strings: usize,
}

impl<'a> Budget<'a> {
    fn new(engine: &'a Engine) -> Self {
        Budget {
            engine,
            arrays: 0,
            maps: 0,
            strings: 0,
        }
    }

    /// Adds one element of an array (`in_map`: one entry of a map) and fails past a limit.
    fn add(&mut self, value: &Dynamic, in_map: bool) -> Res<()> {
        if in_map {
            self.maps += 1;
        } else {
            self.arrays += 1;
        }
        let (a, m, s) = sizes(value);
        self.arrays += a;
        self.maps += m;
        self.strings += s;
        let over = |n: usize, max: usize| max > 0 && n > max;
        let what = if over(self.strings, self.engine.max_string_size()) {
            "Length of string"
        } else if over(self.arrays, self.engine.max_array_size()) {
            "Size of array"
        } else if over(self.maps, self.engine.max_map_size()) {
            "Size of object map"
        } else {
            return Ok(());
        };
        Err(too_large(what))
    }
}

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(
        what.into(),
        rhai::Position::NONE,
    ))
}

/// `(array elements, map entries, string bytes)` of a value, nested values included.
fn sizes(value: &Dynamic) -> (usize, usize, usize) {
    if let Ok(s) = value.as_immutable_string_ref() {
        return (0, 0, s.len());
    }
    if let Ok(a) = value.as_array_ref() {
        return a.iter().fold((0, 0, 0), |(x, y, z), v| {
            let (a, m, s) = sizes(v);
            (x + 1 + a, y + m, z + s)
        });
    }
    if let Ok(map) = value.as_map_ref() {
        return map.values().fold((0, 0, 0), |(x, y, z), v| {
            let (a, m, s) = sizes(v);
            (x + a, y + 1 + m, z + s)
        });
    }
    (0, 0, 0)
}

fn index(i: usize) -> Dynamic {
    INT::try_from(i).unwrap_or(INT::MAX).into()
}

/// The length of `s` with every `find` replaced by `sub`, without building it.
fn replaced_len(s: &str, find: &str, sub: &str) -> usize {
    let n = s.matches(find).count();
    s.len() - n * find.len() + n.saturating_mul(sub.len())
}

fn replace_checked(
    ctx: &NativeCallContext,
    s: &mut ImmutableString,
    find: &str,
    sub: &str,
) -> Res<()> {
    let max = ctx.engine().max_string_size();
    if max > 0 && replaced_len(s, find, sub) > max {
        return Err(passed_on(ctx, too_large("Length of string")));
    }
    *s = s.replace(find, sub).into();
    Ok(())
}

/// The array of the closure results `calls` (of `map`, `zip`), checked against the limits as it
/// grows; the first closure error or limit ends it.
fn collect_within_limits(
    ctx: &NativeCallContext,
    calls: impl Iterator<Item = Res<Dynamic>>,
) -> Res<Array> {
    let mut budget = Budget::new(ctx.engine());
    let mut out = Array::new();
    for call in calls {
        let v = call.map_err(|e| passed_on(ctx, e))?;
        budget.add(&v, false).map_err(|e| passed_on(ctx, e))?;
        out.push(v);
    }
    Ok(out)
}

/// Registers the replacements (see the module documentation).
pub(crate) fn register(engine: &mut Engine) {
    for name in ["sort", "sort_by"] {
        engine.register_fn(
            name,
            |ctx: NativeCallContext, a: &mut Array, f: FnPtr| -> Res<()> {
                sort_with_comparer(&ctx, a, &f)
            },
        );
    }
    for name in ["order", "order_by"] {
        engine.register_fn(
            name,
            |ctx: NativeCallContext, a: &mut Array, f: FnPtr| -> Res<Array> {
                let mut copy = a.clone();
                sort_with_comparer(&ctx, &mut copy, &f)?;
                Ok(copy)
            },
        );
    }
    engine.register_fn("sort", |a: &mut Array| builtin_sort(a, false));
    engine.register_fn("sort_desc", |a: &mut Array| builtin_sort(a, true));
    engine.register_fn("order", |a: &mut Array| -> Res<Array> {
        let mut copy = a.clone();
        builtin_sort(&mut copy, false)?;
        Ok(copy)
    });
    engine.register_fn("order_desc", |a: &mut Array| -> Res<Array> {
        let mut copy = a.clone();
        builtin_sort(&mut copy, true)?;
        Ok(copy)
    });
    engine.register_fn(
        "dedup",
        |ctx: NativeCallContext, a: &mut Array, f: FnPtr| -> Res<()> {
            dedup_with(a, |kept, next| {
                let v = f
                    .call_raw(&ctx, None, [kept.clone(), next.clone()])
                    .map_err(|e| passed_on(&ctx, e))?;
                Ok(v.as_bool().unwrap_or(false))
            })
        },
    );
    engine.register_fn(
        "dedup",
        |ctx: NativeCallContext, a: &mut Array| -> Res<()> {
            dedup_with(a, |kept, next| {
                let (mut x, mut y) = (kept.clone(), next.clone());
                match ctx.call_native_fn_raw("==", true, &mut [&mut x, &mut y]) {
                    Ok(v) => Ok(v.as_bool().unwrap_or(false)),
                    // No `==` for these values: not duplicates (as in Rhai).
                    Err(e) if matches!(*e, EvalAltResult::ErrorFunctionNotFound(..)) => Ok(false),
                    Err(e) => Err(passed_on(&ctx, e)),
                }
            })
        },
    );
    engine.register_fn(
        "map",
        |ctx: NativeCallContext, a: &mut Array, f: FnPtr| -> Res<Array> {
            collect_within_limits(
                &ctx,
                a.iter_mut().enumerate().map(|(i, item)| {
                    f.call_raw_with_extra_args("map", &ctx, Some(item), [], [index(i)], Some(0))
                }),
            )
        },
    );
    engine.register_fn(
        "map",
        |ctx: NativeCallContext, m: &mut Map, f: FnPtr| -> Res<Map> {
            let mut budget = Budget::new(ctx.engine());
            let mut out = Map::new();
            for (key, item) in m.iter_mut() {
                let v = f
                    .call_raw_with_extra_args("map", &ctx, Some(item), [key.into()], [], Some(1))
                    .map_err(|e| passed_on(&ctx, e))?;
                budget.add(&v, true).map_err(|e| passed_on(&ctx, e))?;
                out.insert(key.clone(), v);
            }
            Ok(out)
        },
    );
    engine.register_fn(
        "zip",
        |ctx: NativeCallContext, a: &mut Array, b: Array, f: FnPtr| -> Res<Array> {
            collect_within_limits(
                &ctx,
                a.iter().zip(b).enumerate().map(|(i, (x, y))| {
                    f.call_raw_with_extra_args("zip", &ctx, None, [x.clone(), y], [index(i)], None)
                }),
            )
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, sub: &str| {
            replace_checked(&ctx, s, find, sub)
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, sub: char| {
            replace_checked(&ctx, s, find, sub.encode_utf8(&mut [0; 4]))
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, sub: &str| {
            replace_checked(&ctx, s, find.encode_utf8(&mut [0; 4]), sub)
        },
    );
    engine.register_fn(
        "replace",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, sub: char| {
            replace_checked(
                &ctx,
                s,
                find.encode_utf8(&mut [0; 4]),
                sub.encode_utf8(&mut [0; 4]),
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_sorts_stably() {
        let v: Vec<(i32, usize)> = [3, 1, 2, 1, 3, 0]
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let sorted = merge_sort_by(v, |a, b| Ok::<_, ()>(a.0.cmp(&b.0))).unwrap();
        assert_eq!(sorted, vec![(0, 5), (1, 1), (1, 3), (2, 2), (3, 0), (3, 4)]);
    }

    #[test]
    fn merge_sort_survives_any_comparison_and_bounds_its_calls() {
        // Inconsistent answers (a pseudo-random sign per call) still give a permutation.
        for n in [0usize, 1, 2, 3, 17, 64, 1000] {
            let mut state = 0x9e37_79b9_u32;
            let mut calls = 0usize;
            let sorted = merge_sort_by((0..n).collect(), |_, _| {
                calls += 1;
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                Ok::<_, ()>(match state % 3 {
                    0 => Ordering::Less,
                    1 => Ordering::Equal,
                    _ => Ordering::Greater,
                })
            })
            .unwrap();
            let mut seen = sorted.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
            let log2 = usize::BITS - n.max(1).leading_zeros();
            assert!(calls <= n * log2 as usize, "{n}: {calls} comparisons");
        }
    }

    #[test]
    fn merge_sort_stops_at_the_first_error() {
        let mut calls = 0;
        let r = merge_sort_by((0..100).collect::<Vec<i32>>(), |_, _| {
            calls += 1;
            if calls == 5 {
                Err("stop")
            } else {
                Ok(Ordering::Less)
            }
        });
        assert_eq!(r, Err("stop"));
        assert_eq!(calls, 5);
    }

    #[test]
    fn replaced_len_is_the_length_of_the_replacement() {
        for (s, f, r) in [
            ("abcabc", "b", "xyz"),
            ("aaaa", "aa", ""),
            ("abc", "", "-"),
            ("ğüş", "ü", "ü"),
        ] {
            assert_eq!(replaced_len(s, f, r), s.replace(f, r).len(), "{s} {f} {r}");
        }
    }
}
