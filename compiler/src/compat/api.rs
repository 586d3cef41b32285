//! What a package offers to those who depend on it: its offerings' params, outputs and
//! implementations, and its environments with their shared resources.
//!
//! Invariants: read from the signatures of the project's own declarations only (never
//! a dependency's or the standard library's); types as their text, so that two
//! versions compare by what users write; maps sorted by name.

use std::collections::BTreeMap;

use crate::diagnostic::Label;
use crate::names::{DeclRef, NameKind, file_scope, project_index};
use crate::source::{Db, Origin, Project};
use crate::syntax::ast::Member;
use crate::types::signature::{ParamSig, offering_signature, output_is_provision};

/// A package's API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackageApi {
    /// `plat.toml`'s name.
    pub name: String,
    pub offerings: BTreeMap<String, OfferingApi>,
    pub environments: BTreeMap<String, EnvironmentApi>,
}

/// An offering's API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingApi {
    pub version: Option<semver::Version>,
    /// Where its `version` is written (its name when it has none).
    pub version_at: Label,
    pub params: BTreeMap<String, FieldApi>,
    pub outputs: BTreeMap<String, OutputApi>,
    /// Each implementation's own params.
    pub implementations: BTreeMap<String, BTreeMap<String, FieldApi>>,
}

/// A param: its type as written, and whether it must be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldApi {
    pub ty: String,
    pub required: bool,
}

/// An output: its type as written, whether it is secret, whether it is known only
/// after provisioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputApi {
    pub ty: String,
    pub secret: bool,
    pub provision: bool,
}

/// An environment's API: the shared resources applications bind, with their
/// offerings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvironmentApi {
    pub shared: BTreeMap<String, String>,
}

/// The API of the project `project`, named `name`.
pub fn api(db: &dyn Db, project: Project, name: &str) -> PackageApi {
    let index = project_index(db, project);
    let mut package = PackageApi {
        name: name.to_string(),
        ..PackageApi::default()
    };
    for decl in index.names_of(Origin::Project, NameKind::Offering) {
        if let Some(offering) = offering_api(db, project, decl) {
            package.offerings.insert(decl.name.clone(), offering);
        }
    }
    for decl in index.names_of(Origin::Project, NameKind::Environment) {
        package
            .environments
            .insert(decl.name.clone(), environment_api(db, project, decl));
    }
    package
}

fn offering_api(db: &dyn Db, project: Project, decl: &DeclRef) -> Option<OfferingApi> {
    let sig = offering_signature(db, project, decl)?;
    let fields = |params: &[ParamSig]| -> BTreeMap<String, FieldApi> {
        params
            .iter()
            .map(|param| {
                (
                    param.name.clone(),
                    FieldApi {
                        ty: param.ty.to_string(),
                        required: param.required,
                    },
                )
            })
            .collect()
    };
    let outputs = sig
        .outputs
        .iter()
        .map(|output| {
            (
                output.name.clone(),
                OutputApi {
                    ty: output.ty.to_string(),
                    secret: output.ty.is_secret(),
                    provision: output_is_provision(db, project, decl, &output.name),
                },
            )
        })
        .collect();
    Some(OfferingApi {
        version: sig
            .version
            .as_deref()
            .and_then(|version| semver::Version::parse(version).ok()),
        version_at: version_label(db, decl),
        params: fields(&sig.params),
        outputs,
        implementations: sig
            .implementations
            .iter()
            .map(|imp| (imp.name.clone(), fields(&imp.params)))
            .collect(),
    })
}

/// Where the `version` of the offering `decl` is written, or its name.
fn version_label(db: &dyn Db, decl: &DeclRef) -> Label {
    let written = decl.declaration(db).and_then(|syntax| {
        syntax.body.members.iter().find_map(|member| match member {
            Member::Attribute(attribute) if attribute.name.name == "version" => {
                Some(attribute.value.range())
            }
            _ => None,
        })
    });
    Label::new(decl.file, written.unwrap_or_else(|| decl.name_range(db)))
}

fn environment_api(db: &dyn Db, project: Project, decl: &DeclRef) -> EnvironmentApi {
    let mut environment = EnvironmentApi::default();
    let Some(syntax) = decl.declaration(db) else {
        return environment;
    };
    let index = project_index(db, project);
    let scope = file_scope(db, project, decl.file);
    let resolver = crate::names::Resolver::new(db, decl.file, index, scope);
    for member in &syntax.body.members {
        if let Member::Instance(instance) = member {
            let offering = match instance.offering.segments.as_slice() {
                [only] => resolver
                    .lookup(&only.name)
                    .map(|found| found.decl.name.clone())
                    .unwrap_or_else(|| only.name.clone()),
                _ => instance.offering.text(),
            };
            environment
                .shared
                .entry(instance.name.name.clone())
                .or_insert(offering);
        }
    }
    environment
}
