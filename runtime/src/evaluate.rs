//! Explanations over the evaluation of IR expressions: which findings decided a value.
//! The evaluation itself is the IR's meaning, `sot_ir::eval`, re-exported here.

pub use sot_ir::eval::{dyn_slot, truth, value, Env, Tri};
use sot_ir::{Expr, Phase, Program};

/// A finding an explanation names: which block it comes from, and its slot.
pub type FindingRef = (Option<Phase>, u32);

/// The findings that justify `e` having the truth value it has: all that made a true `and`
/// true, the one that made it false; for an unknown value, the findings not examined that
/// would decide it. Only computed for what is reported, never on the evaluation path.
pub fn support(program: &Program, e: &Expr, env: Env, out: &mut Vec<FindingRef>) {
    support_in(program, e, env, false, None, out);
}

/// Like [`support`], but where one deciding child is enough, the first one that `prefer`
/// (fewer findings known) already decides, when there is one: the findings a student
/// examined justify a value when they can, instead of the first ones the protocol writes.
pub fn support_preferring(
    program: &Program,
    e: &Expr,
    env: Env,
    prefer: Env,
    out: &mut Vec<FindingRef>,
) {
    support_in(program, e, env, false, Some(prefer), out);
}

/// Like [`support`], but every deciding child, not the first: all the true disjuncts of a
/// true `or`/`any of` (and all the false conjuncts of a false `and`). For a raised red flag,
/// where every positive sign matters to the referral.
pub fn support_all(program: &Program, e: &Expr, env: Env, out: &mut Vec<FindingRef>) {
    support_in(program, e, env, true, None, out);
}

fn support_in(
    program: &Program,
    e: &Expr,
    env: Env,
    all: bool,
    prefer: Option<Env>,
    out: &mut Vec<FindingRef>,
) {
    let own = truth(program, e, env);
    let children = match e {
        Expr::And(items) | Expr::Or(items) | Expr::AtLeast(_, items) => items,
        Expr::Not(inner) => {
            support_in(program, inner, env, all, prefer, out);
            return;
        }
        leaf => {
            reads(program, leaf, env, own == Tri::Unknown, out);
            return;
        }
    };
    let wanted = match (e, own) {
        (_, Tri::Unknown) => Tri::Unknown,
        (Expr::And(_), Tri::False) | (Expr::Or(_), Tri::True) if !all => {
            // One deciding child is enough: one already decided by `prefer`, else the first.
            let preferred = prefer.and_then(|p| {
                children
                    .iter()
                    .find(|c| truth(program, c, p) == own && truth(program, c, env) == own)
            });
            let first = || children.iter().find(|c| truth(program, c, env) == own);
            if let Some(child) = preferred.or_else(first) {
                support_in(program, child, env, all, prefer, out);
            }
            return;
        }
        (_, t) => t,
    };
    for child in children {
        if truth(program, child, env) == wanted {
            support_in(program, child, env, all, prefer, out);
        }
    }
}

/// The findings a leaf expression reads (only the unexamined ones when `missing`).
pub(crate) fn reads(
    program: &Program,
    e: &Expr,
    env: Env,
    missing: bool,
    out: &mut Vec<FindingRef>,
) {
    let push = |out: &mut Vec<FindingRef>, phase: Option<Phase>, slot: u32| {
        let unknown = env.slot(phase, slot).is_none();
        if (!missing || unknown) && !out.contains(&(phase, slot)) {
            out.push((phase, slot));
        }
    };
    match e {
        Expr::Slot(phase, slot) | Expr::Test(phase, slot, ..) => push(out, *phase, *slot),
        Expr::DynSlot(phase, indicator, args) => {
            for a in args {
                reads(program, a, env, missing, out);
            }
            if let Some(slot) = dyn_slot(program, *indicator, args, env) {
                push(out, *phase, slot);
            }
        }
        Expr::Const(_) => {}
        Expr::Add(l, r, _) | Expr::Compare(_, l, r) => {
            reads(program, l, env, missing, out);
            reads(program, r, env, missing, out);
        }
        Expr::InSet(x, _) | Expr::Not(x) => reads(program, x, env, missing, out),
        Expr::Table(_, args) | Expr::And(args) | Expr::Or(args) | Expr::AtLeast(_, args) => {
            for a in args {
                reads(program, a, env, missing, out);
            }
        }
    }
}
