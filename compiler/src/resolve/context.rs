//! What resolution reads of the checked project: offerings with their signatures and
//! their lowered declarations.
//!
//! Invariants: everything here is read through the earlier layers' queries
//! ([`crate::lowered::lowered_file`], [`crate::types::offering_signature`]), never
//! parsed, looked up or checked again; a lookup that fails returns `None` (the checker
//! has reported it). When a member is declared twice, the first one counts, as in the
//! checker.

use crate::lowered::{ExprId, Exprs, Implementation, Offering};
use crate::names::DeclRef;
use crate::source::{Db, Origin, Project, SourceFile};
use crate::types::signature::{ImplSig, OfferingSig, offering_signature};

/// The identity of an offering in a project: its namespace and name.
pub(crate) type OfferingKey = (Origin, String);

/// The key of an offering declaration.
pub(crate) fn offering_key(decl: &DeclRef) -> OfferingKey {
    (decl.origin, decl.name.clone())
}

/// An offering: its signature and its lowered declaration.
#[derive(Clone, Copy)]
pub(crate) struct OfferingView<'db> {
    pub(crate) sig: &'db OfferingSig,
    pub(crate) lowered: &'db Offering<'db>,
}

/// One implementation of an offering.
#[derive(Clone, Copy)]
pub(crate) struct ImplView<'db> {
    pub(crate) sig: &'db ImplSig,
    pub(crate) lowered: &'db Implementation<'db>,
    /// The expressions of the offering it belongs to.
    pub(crate) exprs: &'db Exprs<'db>,
    pub(crate) file: SourceFile,
}

/// The offering declared as `decl`, when it has a signature.
pub(crate) fn offering<'db>(
    db: &'db dyn Db,
    project: Project,
    decl: &DeclRef,
) -> Option<OfferingView<'db>> {
    let sig = offering_signature(db, project, decl)?;
    let lowered = crate::lowered::lowered_file(db, project, decl.file).offering(decl)?;
    Some(OfferingView { sig, lowered })
}

impl<'db> OfferingView<'db> {
    pub(crate) fn decl(&self) -> &'db DeclRef {
        &self.sig.decl
    }

    pub(crate) fn file(&self) -> SourceFile {
        self.sig.decl.file
    }

    pub(crate) fn exprs(&self) -> &'db Exprs<'db> {
        &self.lowered.exprs
    }

    /// The implementation `name`.
    pub(crate) fn implementation(&self, db: &'db dyn Db, name: &str) -> Option<ImplView<'db>> {
        Some(ImplView {
            sig: self.sig.implementation(name)?,
            lowered: self.lowered.implementation(db, name)?,
            exprs: &self.lowered.exprs,
            file: self.file(),
        })
    }

    /// The default of the offering's param `name`.
    pub(crate) fn param_default(&self, db: &'db dyn Db, name: &str) -> Option<ExprId> {
        self.lowered.param_default(db, name)
    }
}

impl<'db> ImplView<'db> {
    /// The default of the implementation's param `name`.
    pub(crate) fn param_default(&self, db: &'db dyn Db, name: &str) -> Option<ExprId> {
        self.lowered.param_default(db, name)
    }
}
