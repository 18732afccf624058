//! Lists and maps nested too deep for the stack (issue 12, found by the abuse catalogue).
//!
//! The size limits bound how many elements a value holds, not how deep they nest: `a = [a]` in a
//! loop builds a list 999 levels deep within the 1 000-element limit. Rhai compares (`==`, `!=`,
//! `contains`, `index_of`) and prints (`print`, `debug`, `to_string`, `to_debug`, `${…}`) such
//! values by calling itself once per level through its whole function-call machinery — a few
//! kilobytes of stack per level: 400 levels overflowed a 2 MiB thread stack and aborted the
//! process. These replacements look at most [`MAX_NESTING`] levels deep: a comparison of deeper
//! values fails with the depth limit; printing one writes `[…]`/`#{…}` below that depth and trips
//! the depth limit, so that the evaluation fails right after (Rhai would otherwise print the
//! value with Rust's own recursive formatting).

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext};

use crate::engine;
use crate::error::LimitKind;

/// How deep lists and maps may nest for comparing and printing (`[[1]]` is 2 levels).
pub const MAX_NESTING: usize = 32;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Whether the elements of a list or map nest more than `levels` further levels deep. Recursion
/// stops after `levels` steps, so the stack it takes is bounded whatever the value.
fn nested_deeper<'a>(mut values: impl Iterator<Item = &'a Dynamic>, levels: usize) -> bool {
    values.any(|v| {
        let inner =
            |it: &mut dyn Iterator<Item = &Dynamic>| levels == 0 || nested_deeper(it, levels - 1);
        if let Ok(a) = v.as_array_ref() {
            inner(&mut a.iter())
        } else if let Ok(m) = v.as_map_ref() {
            inner(&mut m.values())
        } else {
            false
        }
    })
}

fn too_deep(ctx: &NativeCallContext) -> Box<EvalAltResult> {
    engine::trip(LimitKind::Depth, ctx.call_position());
    Box::new(EvalAltResult::ErrorTerminated(
        Dynamic::from(LimitKind::Depth),
        ctx.call_position(),
    ))
}

/// `==` of two elements, as Rhai does it: values of different types without a `==` are unequal.
fn element_eq(ctx: &NativeCallContext, x: &mut Dynamic, y: &mut Dynamic) -> Res<bool> {
    let different_types = x.type_id() != y.type_id();
    match ctx.call_native_fn_raw("==", true, &mut [x, y]) {
        Ok(v) => Ok(v.as_bool().unwrap_or(false)),
        Err(e) if different_types && matches!(*e, EvalAltResult::ErrorFunctionNotFound(..)) => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

fn arrays_eq(ctx: &NativeCallContext, a: &mut Array, mut b: Array) -> Res<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    if nested_deeper(a.iter(), MAX_NESTING - 1) || nested_deeper(b.iter(), MAX_NESTING - 1) {
        return Err(too_deep(ctx));
    }
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        if !element_eq(ctx, x, y)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn maps_eq(ctx: &NativeCallContext, a: &mut Map, mut b: Map) -> Res<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    if nested_deeper(a.values(), MAX_NESTING - 1) || nested_deeper(b.values(), MAX_NESTING - 1) {
        return Err(too_deep(ctx));
    }
    for (k, x) in a.iter_mut() {
        let Some(y) = b.get_mut(k) else {
            return Ok(false);
        };
        if !element_eq(ctx, x, y)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Rhai's text of a list or map (`[1, "a"]`, `#{"k": 1}`), `levels` levels deep at most.
fn format_value(ctx: &NativeCallContext, v: &mut Dynamic, levels: usize, out: &mut String) {
    if v.is_array() {
        let Ok(mut a) = v.as_array_mut() else { return };
        format_array(ctx, &mut a, levels, out);
    } else if v.is_map() {
        let Ok(mut m) = v.as_map_mut() else { return };
        format_map(ctx, &mut m, levels, out);
    } else {
        match ctx.call_native_fn_raw("to_debug", true, &mut [v]) {
            Ok(s) if s.is_string() => out.push_str(&s.into_immutable_string().unwrap_or_default()),
            _ => out.push_str(&format!("{v:?}")),
        }
    }
}

fn format_array(ctx: &NativeCallContext, a: &mut Array, levels: usize, out: &mut String) {
    format_items(
        ctx,
        ("[", "]"),
        a.iter_mut().map(|x| (None, x)),
        levels,
        out,
    );
}

fn format_map(ctx: &NativeCallContext, m: &mut Map, levels: usize, out: &mut String) {
    let items = m.iter_mut().map(|(k, x)| (Some(k.as_str()), x));
    format_items(ctx, ("#{", "}"), items, levels, out);
}

/// `open` items (`key: value` when they have keys) separated by `, ` then `close`; below the last
/// level `open…close`, and the depth limit trips.
fn format_items<'a>(
    ctx: &NativeCallContext,
    (open, close): (&str, &str),
    items: impl Iterator<Item = (Option<&'a str>, &'a mut Dynamic)>,
    levels: usize,
    out: &mut String,
) {
    out.push_str(open);
    if levels == 0 {
        out.push('…');
        let _ = too_deep(ctx);
    } else {
        for (i, (key, x)) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if let Some(k) = key {
                out.push_str(&format!("{k:?}: "));
            }
            format_value(ctx, x, levels - 1, out);
        }
    }
    out.push_str(close);
}

/// Registers the replacements (see the module documentation).
pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("==", |ctx: NativeCallContext, a: &mut Array, b: Array| {
        arrays_eq(&ctx, a, b)
    });
    engine.register_fn("!=", |ctx: NativeCallContext, a: &mut Array, b: Array| {
        arrays_eq(&ctx, a, b).map(|eq| !eq)
    });
    engine.register_fn("==", |ctx: NativeCallContext, a: &mut Map, b: Map| {
        maps_eq(&ctx, a, b)
    });
    engine.register_fn("!=", |ctx: NativeCallContext, a: &mut Map, b: Map| {
        maps_eq(&ctx, a, b).map(|eq| !eq)
    });
    for name in ["print", "to_string", "debug", "to_debug"] {
        engine.register_fn(name, |ctx: NativeCallContext, a: &mut Array| {
            let mut out = String::new();
            format_array(&ctx, a, MAX_NESTING, &mut out);
            ImmutableString::from(out)
        });
        engine.register_fn(name, |ctx: NativeCallContext, m: &mut Map| {
            let mut out = String::new();
            format_map(&ctx, m, MAX_NESTING, &mut out);
            ImmutableString::from(out)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Dynamic {
        let mut v = Dynamic::from(1_i64);
        for _ in 0..levels {
            v = Dynamic::from_array(vec![v]);
        }
        v
    }

    #[test]
    fn nesting_is_measured_to_the_cap_only() {
        // `nested(n)` is n levels of lists around a number: its elements nest n - 1 further.
        for n in [1, 2, MAX_NESTING, MAX_NESTING + 1, 1_000] {
            let v = nested(n);
            let a = v.as_array_ref().unwrap();
            assert_eq!(
                nested_deeper(a.iter(), MAX_NESTING - 1),
                n > MAX_NESTING,
                "{n} levels"
            );
        }
    }
}
