//! Policies: `require` conditions over the workload and the environment.
//!
//! Invariants: a policy holds only `require` members; each condition is a `bool`
//! (E0301) over `workload` and `env`; evaluating it is the resolution's job.

use crate::syntax::ast::Declaration;
use crate::types::checker::{Checker, Locals};
use crate::types::flow::Sink;
use crate::types::schema;
use crate::types::ty::Ty;

impl Checker<'_> {
    pub(crate) fn check_policy(&mut self, decl: &Declaration) {
        let owner = format!("the policy `{}`", decl.name.name);
        let members = self.sort_members(&decl.body, schema::policy(), &owner);
        let mut scope = Locals::default();
        scope.push_record("workload", schema::policy_workload());
        scope.push_record("env", schema::env_record());
        self.check_fields(&scope, &members.attributes, schema::policy(), &owner, &[]);
        for require in &members.requires {
            let sink = Sink::new("a policy condition", true, true);
            self.check(&scope, &require.condition, &Ty::Bool, &sink);
        }
    }
}
