//! Names and members: what `db.host`, `params.size` or `env.name` stand for, with the
//! type, sensitivity and phase of their values, and the diagnostics for names that
//! stand for nothing (with a suggestion when one is close).

use crate::diagnostic::{Code, Diagnostic};
use crate::names::{Definition, NameKind, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{Expr, Ident, StringPart};
use crate::types::checker::{Access, Checked, Checker, Locals, MemberInfo};
use crate::types::flow::{Cause, Flow};
use crate::types::lower::source_text;
use crate::types::schema;
use crate::types::ty::{RefTy, Ty};

use super::infer::interpolable;

impl Checker<'_> {
    /// The flow of an interpolated string, checking that what it interpolates can be
    /// written as text.
    pub(super) fn interpolation(&mut self, scope: &Locals, parts: &[StringPart]) -> Flow {
        let mut flow = Flow::literal();
        for part in parts {
            let StringPart::Interpolation(path) = part else {
                continue;
            };
            let value = self.path_value(scope, &path.segments);
            if !interpolable(&value.ty) {
                let help = match value.ty.shape() {
                    Ty::Ref(RefTy::Workload) => {
                        "interpolate one of its outputs: `host`, `port` or `url`".to_string()
                    }
                    Ty::Ref(RefTy::Resource(_)) => {
                        "interpolate one of its outputs, like `${db.host}`".to_string()
                    }
                    _ => "interpolate a string, a number or a boolean".to_string(),
                };
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("cannot interpolate a value of type `{}`", value.ty),
                        self.file,
                        path.range,
                    )
                    .with_label(format!("this is `{}`", value.ty))
                    .with_help(help),
                );
            }
            flow = flow.join(value.flow);
        }
        flow
    }

    /// A dotted name `a.b.c` (from an interpolation).
    pub(super) fn path_value(&mut self, scope: &Locals, segments: &[Ident]) -> Checked {
        let [first, rest @ ..] = segments else {
            return Checked::error();
        };
        let mut value = self.name_value(scope, first);
        let mut covered = first.range;
        for ident in rest {
            let base = covered;
            covered = covered.cover(ident.range);
            value = self.member(value, ident, base, covered);
        }
        value
    }

    /// A name used as a value: a local binding, or a declaration of a kind the scope
    /// allows.
    pub(super) fn name_value(&mut self, scope: &Locals, ident: &Ident) -> Checked {
        if let Some(binding) = scope.get(&ident.name) {
            let binding = binding.clone();
            self.reference(ident.range, binding.def, binding.kind);
            let mut flow = Flow {
                literal: false,
                ..binding.flow
            };
            if binding.provision && flow.provision.is_none() {
                flow.provision = Some(Cause {
                    range: ident.range,
                    declared: None,
                });
            }
            return Checked {
                ty: binding.ty,
                flow,
                access: binding.access,
            };
        }
        let Some(found) = self.resolver.lookup(&ident.name) else {
            self.unknown_value(scope, ident);
            return Checked::error();
        };
        let decl = self.use_declaration(ident.range, found);
        if !scope.globals.contains(&decl.kind) {
            let mut diagnostic = self.resolver.wrong_kind(ident, &decl, "a value", &[]);
            if decl.kind == NameKind::Offering {
                diagnostic = diagnostic.with_help(format!(
                    "declare a resource of it and use that: `{0}_1: {0} {{ ... }}`",
                    ident.name
                ));
            }
            self.report(diagnostic);
            return Checked::error();
        }
        let ty = match decl.kind {
            NameKind::Workload => Ty::Ref(RefTy::Workload),
            NameKind::Policy => Ty::Ref(RefTy::Policy),
            NameKind::Environment => Ty::Ref(RefTy::Environment),
            NameKind::Offering | NameKind::Type => return Checked::error(),
        };
        let access = if decl.kind == NameKind::Workload {
            Access::Members {
                owner: format!("the workload `{}`", ident.name),
                noun: "output",
                code: Code::UnknownOutput,
                members: schema::workload_outputs()
                    .iter()
                    .map(MemberInfo::field)
                    .collect(),
            }
        } else {
            Access::ByType
        };
        Checked {
            ty,
            flow: Flow::plain(),
            access,
        }
    }

    pub(super) fn unknown_value(&mut self, scope: &Locals, ident: &Ident) {
        let mut candidates: Vec<&str> = scope.names();
        let globals = self.resolver.names_of(&scope.globals);
        candidates.extend(globals.iter().copied());
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown name `{}`", ident.name),
            self.file,
            ident.range,
        )
        .with_label("not found in this scope");
        let help = suggest::did_you_mean(&ident.name, candidates.iter().copied()).or_else(|| {
            let mut names = candidates.clone();
            names.sort_unstable();
            names.dedup();
            (!names.is_empty() && names.len() <= suggest::SHORT_LIST)
                .then(|| format!("names in scope here: {}", suggest::all_of(&names)))
        });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// A name where a reference to a declaration or resource is expected.
    pub(super) fn check_ref(&mut self, scope: &Locals, ident: &Ident, kind: &RefTy) -> Flow {
        let expected = Ty::Ref(kind.clone());
        if let Some(binding) = scope.get(&ident.name) {
            let binding = binding.clone();
            self.reference(ident.range, binding.def, binding.kind);
            if !binding.ty.fits(&expected) {
                self.mismatch(&Expr::Name(ident.clone()), &expected, &binding.ty);
            }
            return Flow::plain();
        }
        let (kinds, what): (&[NameKind], &str) = match kind {
            RefTy::Workload => (&[NameKind::Workload], "a workload"),
            RefTy::Policy => (&[NameKind::Policy], "a policy"),
            RefTy::Environment => (&[NameKind::Environment], "an environment"),
            RefTy::Resource(_) => {
                self.unknown_resource(scope, ident);
                return Flow::plain();
            }
        };
        self.expect_declaration(ident, kinds, what);
        Flow::plain()
    }

    pub(super) fn unknown_resource(&mut self, scope: &Locals, ident: &Ident) {
        let resources: Vec<&str> = scope
            .bindings
            .iter()
            .filter(|binding| binding.kind == TargetKind::Resource)
            .map(|binding| binding.name.as_str())
            .collect();
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown resource `{}`", ident.name),
            self.file,
            ident.range,
        )
        .with_label("no resource of this name here");
        let help =
            suggest::did_you_mean(&ident.name, resources.iter().copied()).or_else(
                || match resources.len() {
                    0 => Some(format!(
                        "declare it first: `{}: OFFERING {{ ... }}`",
                        ident.name
                    )),
                    n if n <= suggest::SHORT_LIST => Some(format!(
                        "the resources here are {}",
                        suggest::all_of(&resources)
                    )),
                    _ => None,
                },
            );
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// `base.name`, where `base` is written at `base_range` and the whole at `range`.
    pub(super) fn member(
        &mut self,
        base: Checked,
        name: &Ident,
        base_range: TextRange,
        range: TextRange,
    ) -> Checked {
        let flow = Flow {
            literal: false,
            ..base.flow
        };
        match base.access {
            Access::Any => {
                // `module.x.y`: the whole reference is what is provision-time.
                let mut flow = flow;
                if let Some(origin) = &mut flow.provision
                    && origin.range.start == base_range.start
                {
                    origin.range = range;
                }
                Checked {
                    ty: Ty::Any,
                    flow,
                    access: Access::Any,
                }
            }
            Access::Members {
                owner,
                noun,
                code,
                members,
            } => match members.iter().find(|member| member.name == name.name) {
                Some(member) => {
                    self.reference(name.range, member.def, member.kind);
                    member_value(flow, &member.ty, member.def, member.provision, range)
                }
                None => {
                    let names: Vec<&str> =
                        members.iter().map(|member| member.name.as_str()).collect();
                    self.unknown_member(name, &owner, noun, code, &names);
                    Checked::error()
                }
            },
            Access::ByType => match base.ty.shape() {
                Ty::Record(fields) => match fields.iter().find(|field| field.name == name.name) {
                    Some(field) => member_value(flow, &field.ty, None, false, range),
                    None => {
                        let names: Vec<&str> =
                            fields.iter().map(|field| field.name.as_str()).collect();
                        let owner = format!("`{}`", source_text(self.db, self.file, base_range));
                        self.unknown_field(name.range, &name.name, &owner, &names);
                        Checked::error()
                    }
                },
                Ty::Map(value) => Checked {
                    ty: (**value).clone(),
                    flow,
                    access: Access::ByType,
                },
                Ty::Any => Checked {
                    ty: Ty::Any,
                    flow,
                    access: Access::Any,
                },
                Ty::Error => Checked::error(),
                other => {
                    let other = other.clone();
                    self.report(
                        Diagnostic::new(
                            Code::UnknownField,
                            format!("unknown field `{}`", name.name),
                            self.file,
                            name.range,
                        )
                        .with_label(format!("a value of type `{other}` has no fields"))
                        .with_help(format!("remove `.{}`", name.name)),
                    );
                    Checked::error()
                }
            },
        }
    }

    /// E0203 or E0204 for a member `name` that `owner` does not have.
    pub(crate) fn unknown_member(
        &mut self,
        name: &Ident,
        owner: &str,
        noun: &str,
        code: Code,
        names: &[&str],
    ) {
        let mut diagnostic = Diagnostic::new(
            code,
            format!("unknown {noun} `{}`", name.name),
            self.file,
            name.range,
        )
        .with_label(format!("{owner} has no {noun} `{}`", name.name));
        let help = suggest::did_you_mean(&name.name, names.iter().copied()).or_else(|| match names
            .len()
        {
            0 => Some(format!("{owner} has no {noun}s")),
            n if n <= suggest::SHORT_LIST => {
                Some(format!("the {noun}s are {}", suggest::all_of(names)))
            }
            _ => None,
        });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }
}

/// the member is; the origin is the whole reference.
pub(super) fn member_value(
    flow: Flow,
    ty: &Ty,
    def: Option<Definition>,
    provision: bool,
    range: TextRange,
) -> Checked {
    let mut flow = flow;
    if ty.is_secret() && flow.secret.is_none() {
        flow.secret = Some(Cause {
            range,
            declared: def.map(|def| (def.file, def.range)),
        });
    }
    if provision && flow.provision.is_none() {
        flow.provision = Some(Cause {
            range,
            declared: None,
        });
    }
    Checked {
        ty: ty.clone(),
        flow,
        access: Access::ByType,
    }
}
