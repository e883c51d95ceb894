//! The peer engines, on the same work: datalogic-rs (JSONLogic) and Rhai (a scripting
//! language). Built only with the `peers` feature.

use datalogic_rs::bumpalo::Bump;
use datalogic_rs::{Engine, Logic, ParsedData};

use crate::workload::{jsonlogic_data, Val};
use crate::Outcome;

/// datalogic-rs with the workload compiled once; each visit's data parsed once, outside timing.
pub struct DataLogic {
    engine: Engine,
    logic: Logic,
}

impl DataLogic {
    /// Compiles the JSONLogic text.
    pub fn compile(text: &str) -> Result<Self, String> {
        let engine = Engine::new();
        let logic = engine.compile(text).map_err(|e| e.to_string())?;
        Ok(DataLogic { engine, logic })
    }

    /// A visit's findings in the engine's own data form.
    pub fn data(findings: &[Val]) -> Result<ParsedData, String> {
        ParsedData::from_json(&jsonlogic_data(findings)).map_err(|e| e.to_string())
    }

    /// Evaluates one visit; `arena` is reset by the caller between visits.
    pub fn evaluate(&self, data: &ParsedData, arena: &Bump) -> Result<Outcome, String> {
        let value = self
            .engine
            .evaluate(&self.logic, data, arena)
            .map_err(|e| e.to_string())?;
        let (Some(cat), Some(rules)) = (
            value.as_array().and_then(|a| a.first()?.as_i64()),
            value.as_array().and_then(|a| a.get(1)?.as_array()),
        ) else {
            return Err(format!("unexpected result {value:?}"));
        };
        let fired = (0..rules.len())
            .filter(|&r| self.engine.truthy(&rules[r]))
            .map(|r| r as u32)
            .collect();
        Ok((cat as u32, fired))
    }
}

/// Rhai with the workload's script compiled once; each visit's map built once, outside timing.
pub struct Rhai {
    engine: rhai::Engine,
    ast: rhai::AST,
}

impl Rhai {
    /// Compiles the script.
    pub fn compile(script: &str) -> Result<Self, String> {
        let engine = rhai::Engine::new();
        let ast = engine.compile(script).map_err(|e| e.to_string())?;
        Ok(Rhai { engine, ast })
    }

    /// A visit's findings as a shared Rhai map (passing it costs a reference count).
    pub fn data(findings: &[Val]) -> rhai::Dynamic {
        let mut map = rhai::Map::new();
        for (i, value) in findings.iter().enumerate() {
            let v: rhai::Dynamic = match *value {
                Val::Bool(b) => b.into(),
                Val::Tone(t) => ["normal", "hypertonic", "flaccid"][t as usize % 3].into(),
                Val::Grade(g) => rhai::INT::from(g).into(),
                Val::Length(l) => (f64::from(l) / 10.0).into(),
                Val::Side(None) => "none".into(),
                Val::Side(Some(s)) => ["left", "right"][s as usize % 2].into(),
            };
            map.insert(format!("ind_{i}").into(), v);
        }
        rhai::Dynamic::from_map(map).into_shared()
    }

    /// Evaluates one visit.
    pub fn evaluate(&self, data: &rhai::Dynamic) -> Result<Outcome, String> {
        let mut scope = rhai::Scope::new();
        let result: rhai::Array = self
            .engine
            .call_fn(&mut scope, &self.ast, "evaluate", (data.clone(),))
            .map_err(|e| e.to_string())?;
        let cat = result.first().and_then(|c| c.as_int().ok());
        let fired = result
            .get(1)
            .and_then(|f| f.clone().try_cast::<rhai::Array>());
        let (Some(cat), Some(fired)) = (cat, fired) else {
            return Err(format!("unexpected result {result:?}"));
        };
        let fired = fired
            .iter()
            .filter_map(|r| r.as_int().ok())
            .map(|r| r as u32)
            .collect();
        Ok((cat as u32, fired))
    }
}
