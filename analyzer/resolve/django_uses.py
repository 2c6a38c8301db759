"""Django ORM uses: which tables a chain of manager, queryset and instance calls queries.

A chain (`analyzer.facts.DjangoChain`) starts at an expression closed in its scope; here it is
typed step by step without running anything: a model class (through imports, by the
evaluator), `Model.<manager>` (declared managers, `objects`), a queryset (QuerySet methods and
custom ones keep the model), an instance (`get`, `create`, `get_object_or_404(...)`, a
parameter annotated with the model, `get_or_create(...)[0]`), a related manager
(`report.notes`, `team.members`: forward and reverse relations, many-to-many through tables).
Each query is a use of the tables it touches: a proxy its concrete table, a multi-table child
its own table and its parents' (the query joins them), a many-to-many relation its through
table and its target's; `select_related` / `prefetch_related` paths read the related tables at
the line of each path; `.extra(tables=[...])` names tables like SQL; `.raw(...)` is left to the
SQL reader (its SQL decides the tables); admin registrations read and write the model's table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.facts import ChainStep, ClassFact, DjangoChain, PythonFacts
from analyzer.models import Use
from analyzer.python import expr as ir
from analyzer.resolve.django import (
    DjangoModel,
    DjangoProject,
    DjangoResolver,
    ModelField,
    one_string,
    truncate_name,
)
from analyzer.resolve.evaluate import DJANGO_MODEL_LOOKUPS, Frame, loops_read
from analyzer.resolve.values import (
    ClassV,
    ExternalResultV,
    ExternalV,
    FunctionV,
    InstanceV,
    ModelLookupV,
    PartialV,
    SeqV,
    StrV,
    Value,
)
from analyzer.sql.names import TableKey, normalize_identifier

#: Methods of a manager or queryset that return one instance.
INSTANCE_METHODS = frozenset(
    {"get", "first", "last", "latest", "earliest", "create", "aget", "afirst", "alast",
     "alatest", "aearliest", "acreate", "get_by_natural_key", "get_for_model",
     "create_user", "create_superuser", "acreate_user", "acreate_superuser",
     "get_current"}  # (django.contrib.sites' manager: the current Site)
)
#: ... that return `(instance, created)`.
PAIR_METHODS = frozenset(
    {"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"}
)
#: ... that return no model value (numbers, dicts, rows).
VALUE_METHODS = frozenset(
    {"count", "exists", "aggregate", "update", "delete", "bulk_create", "bulk_update",
     "values", "values_list", "in_bulk", "explain", "contains", "add", "remove", "set",
     "clear", "raw", "acount", "aexists", "aaggregate", "aupdate", "adelete", "abulk_create",
     "abulk_update", "ain_bulk", "acontains", "aexplain", "aadd", "aremove", "aset", "aclear",
     "dates", "datetimes"}
)
WRITE_METHODS = frozenset(
    {"create", "update", "delete", "bulk_create", "bulk_update", "add", "remove", "set",
     "clear", "acreate", "aupdate", "adelete", "abulk_create", "abulk_update", "aadd",
     "aremove", "aset", "aclear", "create_user", "create_superuser", "acreate_user",
     "acreate_superuser",
     # django.contrib.admin's LogEntry manager: each inserts the entries it is given
     "log_action", "log_actions"}
)
#: Calls on a related manager that query its table (`report.notes.filter(...)`).
RELATED_MANAGER_METHODS = INSTANCE_METHODS | PAIR_METHODS | VALUE_METHODS | frozenset(
    {"all", "filter", "exclude", "order_by", "distinct", "annotate", "select_related",
     "prefetch_related", "only", "defer", "iterator", "aiterator", "none", "alias"}
)
#: Queryset methods whose keyword arguments (and `Q` objects) are lookup paths.
KEYWORD_LOOKUP_METHODS = frozenset(
    {"filter", "exclude", "get", "get_or_create", "update_or_create", "aget", "aget_or_create",
     "aupdate_or_create"}
)
#: ... whose positional string arguments are field paths (`order_by("-author__name")`).
PATH_ARGUMENT_METHODS = frozenset({"order_by", "values", "values_list", "distinct"})
#: ... whose arguments are expressions over paths (`annotate(n=Count("books"))`).
AGGREGATE_METHODS = frozenset({"annotate", "aggregate", "alias", "aannotate", "aaggregate"})
LOOKUP_METHODS = KEYWORD_LOOKUP_METHODS | PATH_ARGUMENT_METHODS | AGGREGATE_METHODS
#: Django's built-in lookups and transforms that may end a path (`author__in`, `date__year`):
#: not a field of the model before them.
DJANGO_LOOKUPS = frozenset(
    {"exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith",
     "istartswith", "endswith", "iendswith", "range", "isnull", "regex", "iregex", "date",
     "year", "iso_year", "month", "day", "week", "week_day", "iso_week_day", "quarter", "time",
     "hour", "minute", "second", "search", "unaccent", "trigram_similar",
     "trigram_word_similar", "contained_by", "overlap", "has_key", "has_keys", "has_any_keys",
     "len", "lower", "upper"}
)
LINK_METHODS = frozenset({"add", "remove", "set", "clear", "aadd", "aremove", "aset", "aclear"})
INSTANCE_WRITES = frozenset({"save", "delete", "asave", "adelete"})
INSTANCE_READS = frozenset({"refresh_from_db", "arefresh_from_db"})
SHORTCUT_NAMES = ("get_object_or_404", "aget_object_or_404", "get_list_or_404")
ADMIN_SITES = frozenset({"django.contrib.admin.AdminSite", "django.contrib.admin.sites.AdminSite"})
#: Framework classes that save the model named in their body (`model = Map`, a `Meta`'s).
EDITING_BASES = frozenset(
    f"{module}.{name}"
    for module, names in (
        ("django.views.generic", ("CreateView", "UpdateView", "DeleteView")),
        ("django.views.generic.edit", (
            "CreateView", "UpdateView", "DeleteView", "BaseCreateView", "BaseUpdateView",
            "BaseDeleteView", "ModelFormMixin", "DeletionMixin",
        )),
        ("django.forms", ("ModelForm",)),
        ("django.forms.models", ("ModelForm", "BaseModelForm")),
        ("django.contrib.admin", ("TabularInline", "StackedInline")),
        ("django.contrib.admin.options", ("TabularInline", "StackedInline", "InlineModelAdmin")),
        ("rest_framework.serializers", ("ModelSerializer", "HyperlinkedModelSerializer")),
    )
    for name in names
)
#: What a view is given as its request (`request.user` is then the logged-in user).
REQUEST_CLASSES = frozenset(
    {"django.http.HttpRequest", "django.http.request.HttpRequest",
     "rest_framework.request.Request"}
)
MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Typed:
    """What a Django expression is: kind class | manager | queryset | instance | related |
    pair | m2m_field, of `model`. A related manager reads `reads` (its target's tables and a
    many-to-many's through table) and writes `links` when linking (add/remove/set/clear)."""

    kind: str
    model: DjangoModel
    reads: tuple[TableKey, ...] = ()
    links: tuple[TableKey, ...] = ()
    # kind "m2m_field" (`Item.tags`): the many-to-many field of `model`
    relation: ModelField | None = field(default=None, compare=False)


@dataclass(slots=True)
class _Segment:
    """The calls made on one queryset-like value of a chain."""

    typed: Typed
    names: list[str] = field(default_factory=list)
    raw: bool = False


class ChainResolver:
    """Turns a module's chains into table uses for one project."""

    def __init__(self, resolver: DjangoResolver, project: DjangoProject) -> None:
        self.resolver = resolver
        self.evaluator = resolver.evaluator
        self.project = project
        self.schema = resolver.default_schema
        # (path, line, model) of chains starting at `apps.get_model(...)` that name no single
        # model of the project: "dead" may be wrong for the tables of such a model
        self.unresolved_lookups: list[tuple[str, int, str]] = []
        self._missed: ModelLookupV | None = None  # the lookup `_valued` last failed on
        # (table, path, line, accessor) of chains on a receiver of unknown type whose first
        # step is a relation accessor of the project (`order_line.discounts.create(...)`,
        # `order_line` an untyped parameter): they may use that table, so "dead" may be wrong
        self.untyped_accessors: list[tuple[TableKey, str, int, str]] = []
        self._accessors: dict[str, list[DjangoModel]] | None = None
        self._by_class: dict[ClassV, DjangoModel] | None = None  # `_model_of_class`
        # the tables the project's migrations create (`_looked_up`)
        self.migration_tables: frozenset[TableKey] = frozenset()
        self._by_class_of = 0  # the number of models it was built from
        # the models Django makes for auto-created many-to-many tables (`_through_model`)
        self._auto_models: dict[TableKey, DjangoModel] = {}
        # chains starting at a parameter that typed as nothing Django in their own function
        # (`def get_mergeable(klass, pk): return klass.objects.get(...)`), by that function:
        # read at each call of it (`parameter_uses`)
        self._by_parameter: dict[tuple[str, str], list[tuple[PythonFacts, DjangoChain]]] = {}

    # ---- uses ------------------------------------------------------------------------------

    def uses(self, facts: PythonFacts) -> list[tuple[TableKey, Use]]:
        out: list[tuple[TableKey, Use]] = self.class_references(facts)
        if facts.django is None:
            return out
        seen: set[tuple[int, TableKey, str, str]] = set()
        for chain in facts.django.chains:
            found = self.chain(chain, facts)
            if not found and isinstance(chain.root, ir.Param) and chain.steps:
                key = (facts.module, chain.root.function)
                self._by_parameter.setdefault(key, []).append((facts, chain))
            for key, line, kind, operation, via, confidence in found:
                marker = (line, key, kind, via)
                if marker in seen:
                    continue
                seen.add(marker)
                out.append(
                    (
                        key,
                        Use(
                            path=facts.path, line=line, module=facts.module, kind=kind,
                            via=via, confidence=confidence, operation=operation,
                            function=chain.function, snippet=chain.snippet,
                        ),
                    )
                )
        return out

    def parameter_uses(self, modules: list[PythonFacts]) -> list[tuple[TableKey, Use]]:
        """`get_mergeable(models.Series, pk)`, where `def get_mergeable(klass, pk): return
        klass.objects.get(...)`: the chain on the parameter read with the call's arguments,
        a use at the call (confidence medium: the helper's body is read, not run), as the
        ORM's helpers taking a model are (`orm.uses._parameter_uses`)."""
        if not self._by_parameter:
            return []
        out: list[tuple[TableKey, Use]] = []
        seen: set[tuple[str, int, TableKey, str, str]] = set()
        for facts, call, fact, inner in self.evaluator.calls_of(modules, self._by_parameter):
            for chain_facts, chain in self._by_parameter[(inner.module.module, fact.qualname)]:
                for key, _line, kind, operation, via, _ in self._chain_in(
                    chain, chain_facts, inner
                ):
                    marker = (facts.path, call.line, key, kind, operation)
                    if marker in seen:
                        continue
                    seen.add(marker)
                    out.append((key, Use(
                        path=facts.path, line=call.line, module=facts.module,
                        kind=kind, via=via, confidence="medium", operation=operation,
                        function=call.function, snippet=f"{chain.snippet} -> {fact.qualname}()",
                    )))
        return out

    def chain(
        self, chain: DjangoChain, facts: PythonFacts
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        """The chain's uses; `self.model.objects...` in a base class's method once for each
        subclass binding `model` (`Evaluator.receiver_frames`), `self` being its instance."""
        frames = self.evaluator.receiver_frames([chain.start()], (), Frame(facts))
        loops = loops_read(chain.start())
        if loops:
            # `for model in (Color, Size): model.objects.all().delete()`: once per element
            frames = [
                each for frame in frames for each in self.evaluator.iterations(loops, frame)
            ]
        if len(frames) == 1:
            concrete = self._concrete_for_cls(chain, frames[0])
            if concrete is None:
                return self._chain_in(chain, facts, frames[0])
            found_each: list[tuple[TableKey, int, str, str, str, str]] = []
            for model in concrete:
                found_each.extend(
                    item for item in self._chain_in(chain, facts, frames[0], model)
                    if item not in found_each
                )
            return found_each
        lookups, accessors = len(self.unresolved_lookups), len(self.untyped_accessors)
        found: list[tuple[TableKey, int, str, str, str, str]] = []
        for frame in frames:
            found.extend(item for item in self._chain_in(chain, facts, frame) if item not in found)
        # what a frame noted, once
        self.unresolved_lookups[lookups:] = list(dict.fromkeys(self.unresolved_lookups[lookups:]))
        self.untyped_accessors[accessors:] = list(dict.fromkeys(self.untyped_accessors[accessors:]))
        return found

    def _concrete_for_cls(self, chain: DjangoChain, frame: Frame) -> list[DjangoModel] | None:
        """`cls.objects.filter(...)` in a classmethod of an abstract model (`class
        StorageLink(models.Model): class Meta: abstract = True`, `@classmethod def exists(cls,
        key): return cls.objects.filter(key=key).exists()`): the method runs for a concrete
        subclass, whose own table it reads, so the chain is read once for each concrete
        model below it (a mixin's classmethod too). None when the chain's root is no such
        `cls`."""
        if not isinstance(chain.root, ir.ClsRef) or not chain.steps:
            return None
        if self.type_of(chain.root, frame) is not None:
            return None  # a concrete model's own `cls`
        found: list[DjangoModel] = []
        for value in self.evaluator.evaluate(chain.root, frame):
            if not isinstance(value, ClassV):
                continue
            for sub in self.evaluator.subclasses(value):
                model = self._model_of_class(sub)
                if model is not None and not model.abstract and model not in found:
                    found.append(model)
        return found or None

    def _chain_in(
        self, chain: DjangoChain, facts: PythonFacts, frame: Frame,
        cls_model: DjangoModel | None = None,
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        """`cls_model`: the concrete model `cls`, the chain's root, stands for
        (`_concrete_for_cls`)."""
        found: list[tuple[TableKey, int, str, str, str, str]] = []
        if not chain.steps:
            registered = self._registration_call(chain, frame)
            return registered if registered is not None else self._shortcut(chain, frame)
        registered = self._registration(chain, frame)
        if registered is not None:
            return registered
        self._missed = None
        current = (
            Typed("class", cls_model) if cls_model is not None
            else self.type_of(chain.root, frame)
        )
        steps = chain.steps
        start = chain.start()
        if current is None and start is not chain.root:
            # `self.model.objects...`: what the attribute holds (a subclass's `model = Order`)
            current = self.type_of(start, frame)
            if current is not None:
                steps = steps[1:]
        if current is None and steps[0].call and steps[0].name in DJANGO_MODEL_LOOKUPS:
            # `apps.get_model("catalogue.Product").objects...`: the looked-up model
            lookup = ir.Call(ir.Attr(chain.root, steps[0].name), steps[0].args, steps[0].kwargs)
            current = self._valued(tuple(
                v for v in self.evaluator.evaluate(lookup, frame) if isinstance(v, ModelLookupV)
            ))
            steps = steps[1:]
        if current is None and steps[0].call and not isinstance(chain.root, ir.Param):
            # `copy.copy(first).save()`, `services.thing_for(pk).delete()`: what a function
            # read on a module gives
            current = self.type_of(_stepped(chain.root, steps[:1]), frame)
            if current is not None:
                steps = steps[1:]
        if current is None and not steps[0].call:
            # `request.user.groups.all()`, `self.request.user.profile.save()`: a start
            # typed by its first attributes (`_is_request`)
            for count in range(1, min(3, len(steps)) + 1):
                if steps[count - 1].call or steps[count - 1].name == "[]":
                    break
                prefix: ir.Expr = chain.root
                for step in steps[:count]:
                    prefix = ir.Attr(prefix, step.name)
                typed = self.type_of(prefix, frame)
                if typed is not None:
                    current, steps = typed, steps[count:]
                    break
        if current is None and self._missed is not None:
            missed = self._missed
            name = f"{missed.app_label}.{missed.model_name}" if missed.app_label else (
                missed.model_name
            )
            self.unresolved_lookups.append((facts.path, chain.line, name))
        elif current is None:
            self._untyped_accessor(chain, steps, facts)
        segments: list[_Segment] = []
        segment: _Segment | None = None
        # the chain up to the current step, as an expression (`_stepped`)
        reached = _stepped(chain.root, chain.steps[: len(chain.steps) - len(steps)])
        for step in steps:
            if current is None:
                break
            before, reached = reached, _stepped(reached, (step,))
            if step.name == "[]":
                current = self._subscript(current, step)
                segment = None
                continue
            if not step.call:
                current = self._attribute_read(current, reached, frame)  # type: ignore[arg-type]
                segment = None
                continue
            if (step.name in INSTANCE_WRITES or step.name in INSTANCE_READS) and (
                current.kind == "instance" or (
                    # no queryset or manager has `save()`: a custom manager method gave one
                    # row (`Thing.objects.for_name(n).save()`, Site's `get_current()`)
                    current.kind in ("queryset", "manager") and step.name not in WRITE_METHODS
                )
            ):
                kind = "write" if step.name in INSTANCE_WRITES else "read"
                found.extend(
                    self._emit(current.model.tables(), chain.line, kind, step.name, current)
                )
                current = None
                continue
            if current.kind in ("class", "instance"):
                # a method of the model's own (`Post.visible_to(viewer)`, a classmethod
                # returning `cls.objects.filter(...)`): what it returns, read in the call
                current = self._called(
                    ir.Call(ir.Attr(before, step.name), step.args, step.kwargs), frame, 0
                )
                segment = None
                continue
            if current.kind not in ("manager", "queryset", "related"):
                current = None
                continue
            if segment is None or segment.typed.model is not current.model:
                segment = _Segment(current)
                segments.append(segment)
            segment.names.append(step.name)
            if step.name == "raw":
                segment.raw = True
            elif step.name in ("select_related", "prefetch_related"):
                found.extend(self._paths(current.model, step, frame))
            elif step.name in LOOKUP_METHODS:
                found.extend(self._lookups(current.model, step, frame))
            elif step.name == "extra":
                found.extend(self._extra_tables(step, frame))
            current = self._after_call(current, step.name)
        for item in segments:
            found.extend(self._segment(item, chain.line))
        return found

    def _untyped_accessor(
        self, chain: DjangoChain, steps: tuple[ChainStep, ...], facts: PythonFacts
    ) -> None:
        """`x.<accessor>.<manager method>(...)` with `x` of unknown type, where `<accessor>`
        is a reverse accessor (`related_name`, `<model>_set`) or a many-to-many field of a
        project model: the related manager may be that relation's, so each table it would
        query is noted (not a use: the receiver may be anything)."""
        if len(steps) < 2 or steps[0].call or steps[0].name == "[]" or not steps[1].call:
            return
        if steps[1].name not in RELATED_MANAGER_METHODS:
            return
        accessor = steps[0].name
        owners = self._accessor_owners().get(accessor, ())
        if not owners:
            return
        # A receiver known to be an instance of a repository class (`self` in a method) can
        # only be a model that class is, or is an ancestor of.
        classes = {
            value.cls for value in self.evaluator.evaluate(chain.root, Frame(facts))
            if isinstance(value, InstanceV)
        }
        for owner in owners:
            if classes and (owner.cls is None or not classes & set(
                self.resolver.ancestry(owner.cls)[0]
            )):
                continue
            typed = self._attribute(Typed("instance", owner), accessor)
            if typed is None or typed.kind != "related":
                continue
            for key in dict.fromkeys((*typed.model.tables(), *typed.links)):
                self.untyped_accessors.append((key, facts.path, chain.line, accessor))

    def _accessor_owners(self) -> dict[str, list[DjangoModel]]:
        """Relation accessor name -> the project's models that have one of that name."""
        if self._accessors is None:
            found: dict[str, list[DjangoModel]] = {}
            for model in sorted(self.project.models.values(), key=lambda m: m.key):
                names = [*model.reverse, *(f.name for f in model.fields if f.kind == "m2m")]
                for name in dict.fromkeys(names):
                    found.setdefault(name, []).append(model)
            self._accessors = found
        return self._accessors

    def _emit(
        self,
        tables: list[TableKey] | tuple[TableKey, ...],
        line: int,
        kind: str,
        operation: str,
        typed: Typed | None = None,
        model: DjangoModel | None = None,
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        owner = model or (typed.model if typed else None)
        confidence = "medium" if owner is not None and owner.guessed else "high"
        return [(key, line, kind, operation, "orm", confidence) for key in tables]

    def _segment(
        self, segment: _Segment, line: int
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        if segment.raw or "none" in segment.names:
            # `.raw(...)`: its SQL decides; `.none()`: an empty queryset, never evaluated
            # against the database (`Model.objects.none().count()` runs no query)
            return []
        typed = segment.typed
        names = segment.names
        operation = names[-1]
        pairs = [n for n in names if n in PAIR_METHODS]
        writes = [n for n in names if n in WRITE_METHODS]
        base = list(typed.model.tables())
        read_tables = [*base, *(t for t in typed.reads if t not in base)]
        out = []
        if pairs:
            out += self._emit(read_tables, line, "read", pairs[-1], typed)
            out += self._emit(read_tables, line, "write", pairs[-1], typed)
        elif writes:
            last = writes[-1]
            if typed.kind == "related" and last in LINK_METHODS and typed.links:
                written = list(typed.links)
            elif typed.kind == "related" and last == "create":
                written = [*base, *(t for t in typed.links if t not in base)]
            else:
                written = base
            out += self._emit(written, line, "write", last, typed)
        else:
            out += self._emit(read_tables, line, "read", operation, typed)
        return out

    def class_references(self, facts: PythonFacts) -> list[tuple[TableKey, Use]]:
        """`model = Ticket` in a class body (a ModelForm's or serializer's `Meta`, a ModelAdmin
        inline, a GraphQL type, a data loader): framework code queries that model's table
        through the attribute. A use of low confidence: the query itself is not in sight."""
        out: list[tuple[TableKey, Use]] = []
        frame = Frame(facts)
        for qualname, fact in facts.classes.items():
            for name, binding in fact.names.items():
                value = binding.value
                if binding.kind != "value" or not isinstance(
                    value, ir.Global | ir.Attr | ir.Imported
                ):
                    continue
                typed = self.type_of(value, frame)
                if typed is None or typed.kind != "class":
                    continue
                snippet = f"{qualname}.{name} = {ir.render(value)}"
                edits = self._edits(facts, qualname)
                kinds = ("read", "write") if edits else ("read",)
                out.extend(
                    (
                        key,
                        Use(
                            path=facts.path, line=binding.line, module=facts.module,
                            kind=kind, via="orm", confidence="low",
                            operation="model attribute", snippet=snippet,
                        ),
                    )
                    for key in typed.model.tables()
                    for kind in kinds
                )
                if edits and name == "model":
                    out.extend(self._edited_links(facts, fact, typed.model, frame))
        return out

    def _edited_links(
        self, facts: PythonFacts, fact: ClassFact, model: DjangoModel, frame: Frame
    ) -> list[tuple[TableKey, Use]]:
        """The many-to-many fields an editing view or ModelForm edits (`fields = ("tags",)`,
        `fields = "__all__"`): saving the form writes each field's link table and its
        choices read the target's (`CreateView`'s form sets `post.tags`), at the `fields`
        line, of confidence low, as the model's own."""
        binding = fact.names.get("fields")
        if binding is None or binding.kind != "value" or binding.value is None:
            return []
        names = self.evaluator.evaluate(binding.value, frame)
        wanted: set[str] | None = set()
        for value in names:
            if isinstance(value, StrV) and value.value == "__all__":
                wanted = None
            elif isinstance(value, SeqV) and wanted is not None:
                wanted |= {item.value for item in value.items if isinstance(item, StrV)}
        concrete = model.concrete or model
        out: list[tuple[TableKey, Use]] = []
        for item in concrete.fields:
            if item.kind != "m2m" or (wanted is not None and item.name not in wanted):
                continue
            target = self.resolver.target(self.project, item.target, concrete)
            snippet = f"{fact.qualname}.fields: {item.name}"
            for key, kind in [
                *((key, "write") for key in self._through(concrete, item)),
                *((key, "read") for key in (target.tables() if target is not None else [])),
            ]:
                out.append((key, Use(
                    path=facts.path, line=binding.line, module=facts.module, kind=kind,
                    via="orm", confidence="low", operation="model attribute", snippet=snippet,
                )))
        return out

    def _edits(self, facts: PythonFacts, qualname: str) -> bool:
        """Whether the class whose body names the model saves it: a generic editing view
        (`CreateView`, `UpdateView`, `DeleteView`), an admin inline, or a `ModelForm` or
        Django REST framework `ModelSerializer` (the `Meta` inside one), by the framework
        classes it derives from."""
        owner, _, last = qualname.rpartition(".")
        cls = ClassV(facts.module, owner if last == "Meta" and owner else qualname)
        return bool(set(self.resolver.ancestry(cls)[1]) & EDITING_BASES)

    # ---- typing ----------------------------------------------------------------------------

    def type_of(self, expr: ir.Expr, frame: Frame, depth: int = 0) -> Typed | None:
        """What an expression is, in Django terms (None: nothing Django)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr):
            base = self.type_of(expr.func.value, frame, depth + 1)
            if base is not None and base.kind not in ("class", "instance"):
                return self._after_call(base, expr.func.attr)
            # a function of a module (`access.bookmark_write(request, pk)`), or a method:
            # the model's own (`Post.visible_to(viewer)`, a classmethod returning
            # `cls.objects.filter(...)`) read through what it returns
            return self._called(expr, frame, depth)
        elif isinstance(expr, ir.Call):
            return self._called(expr, frame, depth)
        elif isinstance(expr, ir.Attr):
            if expr.attr == "user" and self._is_request(expr.value, frame):
                # `request.user`, `self.request.user`: the logged-in user, an instance of the
                # project's user model (AUTH_USER_MODEL)
                user = self.project.user_model
                return Typed("instance", user) if user is not None else None
            base = self.type_of(expr.value, frame, depth + 1)
            if base is not None:
                return self._attribute_read(base, expr, frame)
        elif (iterable := frame.iterated(expr)) is not None:
            # `for m in Map.objects.filter(...): m.delete()`: each element of a queryset
            # (or of a related manager's) is an instance of its model
            iterated = self.type_of(iterable, frame, depth + 1)
            if iterated is not None and iterated.kind in ("queryset", "manager", "related"):
                return Typed("instance", iterated.model)
            return self._valued(self.evaluator.evaluate(expr, frame))
        elif isinstance(expr, ir.Subscript):
            base = self.type_of(expr.value, frame, depth + 1)
            if base is not None and base.kind == "pair" and expr.index == ir.Const(0):
                return Typed("instance", base.model)
            index = expr.index.value if isinstance(expr.index, ir.Const) else None
            if (
                base is not None and base.kind in ("queryset", "manager", "related")
                and type(index) is int
            ):
                return Typed("instance", base.model)  # `Thing.objects.filter(...)[0]`
            if base is None and type(index) is int and isinstance(expr.value, ir.Call):
                # `thing, rw = _get_thing(request, pk)`: an item of the tuple a function
                # of the repository returns
                for value in self.evaluator.evaluate(expr.value.func, frame):
                    if isinstance(value, FunctionV):
                        return self._returned(value, expr.value, frame, depth, item=index)
            return None
        elif isinstance(expr, ir.IfExp):
            # a name bound in branches (`if x: m = A.objects.get(...)` / `else: m = ...`),
            # or `tok = None` then `tok = Token.objects.get(...)`: what every arm that is
            # not a constant is, when they agree
            arms = [
                self.type_of(arm, frame, depth + 1)
                for arm in (expr.body, expr.orelse) if not isinstance(arm, ir.Const)
            ]
            first = arms[0] if arms else None
            return first if first is not None and all(arm == first for arm in arms) else None
        elif isinstance(expr, ir.Param) and (
            annotated := self._annotated_queryset(expr, frame)
        ) is not None:
            return annotated
        return self._valued(self.evaluator.evaluate(expr, frame))

    def _annotated_queryset(self, param: ir.Param, frame: Frame) -> Typed | None:
        """A parameter annotated `QuerySet[Thing]` (or `Manager[Thing]`, an admin action's
        `queryset`): a queryset of that model."""
        annotation = _annotation_of(param, frame)
        if not isinstance(annotation, ir.Subscript):
            return None
        outer = Frame(frame.module)
        if not any(
            isinstance(value, ExternalV)
            and value.path.rsplit(".", 1)[-1] in ("QuerySet", "Manager")
            for value in self.evaluator.evaluate(annotation.value, outer)
        ):
            return None
        typed = self._valued(self.evaluator.evaluate(annotation.index, outer))
        if typed is None or typed.kind != "class":
            return None
        return Typed("queryset", typed.model)

    def _is_request(self, expr: ir.Expr, frame: Frame) -> bool:
        """Whether `expr` is the request a Django view is given: a parameter named
        `request` (the convention of views, forms and middleware), a view's `self.request`,
        or a parameter annotated `HttpRequest` (or Django REST framework's `Request`)."""
        if isinstance(expr, ir.Param) and expr.name == "request":
            return True
        if isinstance(expr, ir.Attr) and expr.attr == "request" and isinstance(
            expr.value, ir.Self
        ):
            return True
        if not isinstance(expr, ir.Param):
            return False
        annotation = _annotation_of(expr, frame)
        return annotation is not None and any(
            isinstance(value, ExternalV) and value.path in REQUEST_CLASSES
            for value in self.evaluator.evaluate(annotation, Frame(frame.module))
        )

    def _valued(self, values: tuple[Value, ...]) -> Typed | None:
        for value in values:
            if isinstance(value, ClassV):
                model = self._model_of_class(value)
                if model is not None:
                    return Typed("class", model)
            elif isinstance(value, InstanceV):
                model = self._model_of_class(value.cls)
                if model is not None:
                    return Typed("instance", model)
            elif isinstance(value, ExternalV):
                model = self.resolver.external_model(self.project, value.path)
                if model is not None:
                    return Typed("class", model)
            elif isinstance(value, ExternalResultV) and value.path.endswith("get_user_model"):
                user = self.project.user_model
                if user is not None:
                    return Typed("class", user)
            elif isinstance(value, ModelLookupV):
                model = self._looked_up(value)
                if model is not None:
                    return Typed("class", model)
                self._missed = value
        return None

    def _looked_up(self, lookup: ModelLookupV) -> DjangoModel | None:
        """The model `apps.get_model(label, name)` gives; by name alone (the label not known)
        only when the project has exactly one model of that name. A label and name of no
        class tabletrace reads, while the installed app of that label has the table Django
        would name `<label>_<model>`, which its migrations create (django-oscar's forks define
        `Line` in oscar's package, `from oscar.apps.basket.models import *`): that table, a
        model guessed (`confidence: medium`)."""
        if lookup.app_label:
            key = f"{lookup.app_label}.{lookup.model_name}".lower()
            found = self.project.models.get(key)
            if found is None and lookup.app_label in self.project.apps:
                table = TableKey(self.schema, truncate_name(
                    f"{lookup.app_label}_{lookup.model_name}".lower(), self.resolver.max_name
                ))
                if table in self.migration_tables:
                    found = DjangoModel(
                        lookup.app_label, lookup.model_name, None, 0, guessed=True,
                        columns_known=False,
                    )
                    found.table = table
                    self.project.models[key] = found
            return found
        name = lookup.model_name.lower()
        found = [m for m in self.project.models.values() if m.name.lower() == name]
        return found[0] if len(found) == 1 else None

    def _model_of_class(self, cls: ClassV) -> DjangoModel | None:
        """The first of the project's models whose class is `cls` (a dict, rebuilt when a
        model was added since: a walk over every model for each of netbox's 15,000 questions
        took 0.27 s of each scan)."""
        models = self.project.models
        if self._by_class is None or self._by_class_of != len(models):
            self._by_class = {}
            for model in models.values():
                self._by_class.setdefault(model.cls, model)
            self._by_class_of = len(models)
        return self._by_class.get(cls)

    def _called(self, call: ir.Call, frame: Frame, depth: int) -> Typed | None:
        for value in self.evaluator.evaluate(call.func, frame):
            path = value.path if isinstance(value, ExternalV) else ""
            if path.endswith("get_user_model"):
                user = self.project.user_model
                return Typed("class", user) if user is not None else None
            if path.endswith(SHORTCUT_NAMES[:2]) and call.args:
                inner = self.type_of(call.args[0], frame, depth + 1)
                if inner is not None and inner.kind in ("class", "manager", "queryset", "related"):
                    return Typed("instance", inner.model)
                return None
            if isinstance(value, ClassV):
                model = self._model_of_class(value)
                if model is not None:
                    return Typed("instance", model)
            if isinstance(value, ExternalV):
                # `User(username=...)`: a contrib or third-party model made here
                model = self.resolver.external_model(self.project, value.path)
                if model is not None:
                    return Typed("instance", model)
                if path in ("copy.copy", "copy.deepcopy") and len(call.args) == 1:
                    return self.type_of(call.args[0], frame, depth + 1)
            if isinstance(value, FunctionV | ExternalV):
                # `apps.get_model("shop", "Item")`, or a project's function returning one
                looked_up = [
                    v for v in self.evaluator.evaluate(call, frame) if isinstance(v, ModelLookupV)
                ]
                if looked_up:
                    return self._valued(tuple(looked_up))
                if isinstance(value, FunctionV):
                    return self._returned(value, call, frame, depth)
                return None
        return None

    def _returned(
        self, func: FunctionV, call: ir.Call, frame: Frame, depth: int, item: int | None = None
    ) -> Typed | None:
        """What a function of the repository returns, when every value it may return is the
        same Django thing (`bookmark = access.bookmark_write(request, pk)`, returning
        `Bookmark.objects.get(...)`, then `bookmark.delete()`), read in the call's frame."""
        if call.unpacked or any(isinstance(a, ir.Starred) for a in call.args):
            return None
        read = self.evaluator.call_returns(func, call, frame)
        if read is None:
            return None
        callee, returns = read
        if item is not None:
            # `thing, rw = _get_thing(request, pk)`: the item of the tuple it returns
            returns = tuple(
                returned.items[item] if isinstance(returned, ir.Seq)
                and item < len(returned.items) else ir.Const(None)
                for returned in returns
            )
        typed = [self.type_of(returned, callee, depth + 1) for returned in returns]
        first = typed[0] if typed else None
        if first is None or any(t != first for t in typed[1:]):
            return self._annotated_return(func) if item is None else None
        return first

    def _annotated_return(self, func: FunctionV) -> Typed | None:
        """What a function's return annotation names (`def _get(pk) -> Thing:`), when its
        returns cannot be typed: an instance of that model."""
        found = self.evaluator.readable_function(func)
        if isinstance(found, str) or found[1].return_annotation is None:
            return None
        facts, fact = found
        return self._valued(
            self.evaluator.annotated(fact.return_annotation, Frame(facts))  # type: ignore[arg-type]
        )

    def _after_call(self, typed: Typed, name: str) -> Typed | None:
        if typed.kind not in ("manager", "queryset", "related"):
            return None
        target = typed.model
        if name in INSTANCE_METHODS:
            return Typed("instance", target)
        if name in PAIR_METHODS:
            return Typed("pair", target)
        if name in VALUE_METHODS:
            return None
        kind = "related" if typed.kind == "related" else "queryset"
        return Typed(kind, target, typed.reads, typed.links)

    def _attribute_read(self, typed: Typed, expr: ir.Attr, frame: Frame) -> Typed | None:
        """`expr.attr` read on what `expr.value` is (`typed`): a manager, a field, a
        relation (`_attribute`), or, on a model or instance, a class attribute holding
        another model (`log_model = MergedSeries`, then `self.log_model.objects.create()`),
        as the evaluator finds it."""
        found = self._attribute(typed, expr.attr)
        if found is not None or typed.kind not in ("class", "instance"):
            return found
        return self._valued(self.evaluator.evaluate(expr, frame))

    def _attribute(self, typed: Typed, name: str) -> Typed | None:
        model = typed.model
        if typed.kind == "class":
            if name in model.managers:
                return Typed("manager", model)
            declared = (model.concrete or model).declaring(name)
            if declared is not None and declared[1].kind == "m2m":
                # `Item.tags`: the relation's descriptor, whose `through` is the link model
                return Typed("m2m_field", declared[0], relation=declared[1])
            return None
        if typed.kind == "m2m_field":
            return self._through_model(typed) if name == "through" else None
        if typed.kind != "instance":
            return None
        concrete = model.concrete or model
        declared = concrete.declaring(name)
        if declared is not None:
            owner, item = declared
            target = self.resolver.target(self.project, item.target, owner)
            if target is None:
                return None
            if item.kind in ("fk", "o2o"):
                return Typed("instance", target)
            if item.kind == "m2m":
                through = self._through(owner, item)
                return Typed("related", target, tuple(through), tuple(through))
            return None
        for owner in (concrete, *concrete.parents):
            reverse = owner.reverse.get(name)
            if reverse is None:
                continue
            source, relation = reverse
            if relation.kind == "o2o":
                return Typed("instance", source)
            if relation.kind == "m2m":
                through = self._through(source, relation)
                return Typed("related", source, tuple(through), tuple(through))
            tables = tuple(source.tables())
            return Typed("related", source, (), tables)
        return None

    def _subscript(self, typed: Typed, step: ChainStep) -> Typed | None:
        if typed.kind == "pair" and step.args and step.args[0] == ir.Const(0):
            return Typed("instance", typed.model)
        if typed.kind in ("queryset", "manager", "related") and step.args and isinstance(
            step.args[0], ir.Const
        ):
            return Typed("instance", typed.model)
        if typed.kind in ("queryset", "related"):
            return typed  # a slice
        return None

    def _through_model(self, typed: Typed) -> Typed | None:
        """`Item.tags.through`: the model of the relation's table, a class whose manager
        (`Link.objects.bulk_create(...)`) queries that table. An explicit `through=` model is
        the project's own; Django makes one for an auto-created table, of its name, here a
        model of that table alone."""
        item = typed.relation
        if item is None:
            return None
        if item.through is not None:
            through = self.resolver.target(self.project, item.through, typed.model)
            return Typed("class", through) if through is not None else None
        auto = self.resolver.auto_table(self.project, typed.model, item)
        if auto is None:
            return None
        made = self._auto_models.get(auto.table)
        if made is None:
            made = DjangoModel(
                typed.model.app_label, f"{typed.model.name}_{item.name}", auto.path, auto.line,
                table=auto.table, columns_known=False,
            )
            self._auto_models[auto.table] = made
        return Typed("class", made)

    def _through(self, model: DjangoModel, item: ModelField) -> list[TableKey]:
        if item.through is not None:
            through = self.resolver.target(self.project, item.through, model)
            return list(through.tables()) if through is not None else []
        auto = self.resolver.auto_table(self.project, model, item)
        return [auto.table] if auto is not None else []

    # ---- paths, extra tables, shortcuts, admin ---------------------------------------------

    def _paths(
        self, model: DjangoModel, step: ChainStep, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        out: list[tuple[TableKey, int, str, str, str, str]] = []
        for arg, line in zip(step.args, step.arg_lines, strict=False):
            value = arg
            if isinstance(arg, ir.Call) and arg.args:  # Prefetch("path", queryset=...)
                value = arg.args[0]
            path = one_string(self.evaluator.evaluate(value, frame))
            if not path:
                continue
            current: DjangoModel | None = model
            for part in path.split("__"):
                if current is None:
                    break
                hop = self._hop(current, part)
                if hop is None:
                    break
                current, tables = hop
                out.extend(self._emit(tables, line, "read", step.name, model=current))
        return out

    def _hop(
        self, model: DjangoModel, name: str
    ) -> tuple[DjangoModel, list[TableKey]] | None:
        found = self._relation(model, name)
        if found is None:
            return None
        target, through, tables, _reverse = found
        return target, [*through, *tables]

    def _relation(
        self, model: DjangoModel, name: str, query: bool = False
    ) -> tuple[DjangoModel, list[TableKey], list[TableKey], bool] | None:
        """The relation `name` of the model leads to: (its model, a many-to-many's through
        table, the model's tables, whether it is a reverse relation); None for no relation.
        `query`: `name` is a lookup's, where a reverse relation without `related_name` goes by
        the model's name (`book__title`), not its accessor's (`book_set`)."""
        concrete = model.concrete or model
        declared = concrete.declaring(name)
        if declared is not None:
            owner, item = declared
            target = self.resolver.target(self.project, item.target, owner)
            if target is None or item.kind not in ("fk", "o2o", "m2m"):
                return None
            through = self._through(owner, item) if item.kind == "m2m" else []
            return target, through, list(target.tables()), False
        for owner in (concrete, *concrete.parents):
            reverse = owner.reverse.get(name)
            if reverse is None and query:
                reverse = owner.reverse.get(name + "_set")
            if reverse is None:
                continue
            source, relation = reverse
            through = self._through(source, relation) if relation.kind == "m2m" else []
            return source, through, list(source.tables()), True
        return None

    def _lookups(
        self, model: DjangoModel, step: ChainStep, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        """The tables a queryset call's lookups join (`filter(author__name="x")`,
        `exclude(tags__in=...)`, `Q(...)` objects, `order_by("-author__name")`,
        `values("team__org__name")`, `annotate(n=Count("books"))`), at the line of each."""
        paths: list[tuple[str, int]] = []
        name = step.name
        if name in KEYWORD_LOOKUP_METHODS:
            for index, (key, value) in enumerate(step.kwargs):
                lines = step.kwarg_lines[index] if index < len(step.kwarg_lines) else ()
                line = lines[0] if lines else step.line
                if key != "defaults" and key != "create_defaults":
                    paths.append((key, line))
                paths.extend((path, line) for path in self._q_paths(value, frame))
            for arg, line in zip(step.args, step.arg_lines, strict=False):
                paths.extend((path, line) for path in self._q_paths(arg, frame))
        elif name in PATH_ARGUMENT_METHODS:
            for arg, line in zip(step.args, step.arg_lines, strict=False):
                path = one_string(self.evaluator.evaluate(arg, frame))
                if path:
                    paths.append((path.lstrip("-"), line))
        elif name in AGGREGATE_METHODS:
            values = [
                *zip(step.args, step.arg_lines, strict=False),
                *(
                    (value, lines[0] if lines else step.line)
                    for (_, value), lines in zip(step.kwargs, step.kwarg_lines, strict=False)
                ),
            ]
            for value, line in values:
                # `Count("book")`, `F("author__name")`: the first argument; `Q(...)`: its keys
                # (each call asked once whether it is a `Q`)
                expressions: list[str] = []
                lookups: list[str] = []
                for node in ir.walk(value):
                    if not isinstance(node, ir.Call):
                        continue
                    if self._is_q(node, frame):
                        lookups.extend(key for key, _ in node.kwargs)
                    elif node.args:
                        path = one_string(self.evaluator.evaluate(node.args[0], frame))
                        if path:
                            expressions.append(path)
                paths.extend((path, line) for path in [*expressions, *lookups])
        out: list[tuple[TableKey, int, str, str, str, str]] = []
        for path, line in paths:
            for target, tables in self._joins(model, path):
                out.extend(self._emit(tables, line, "read", name, model=target))
        return out

    def _q_paths(self, value: ir.Expr, frame: Frame) -> list[str]:
        """The lookup paths of the `Q(...)` objects in an argument (`Q(a__b=1) | Q(c=2)`)."""
        return [
            key
            for node in ir.walk(value)
            if isinstance(node, ir.Call) and self._is_q(node, frame)
            for key, _ in node.kwargs
        ]

    def _is_q(self, call: ir.Call, frame: Frame) -> bool:
        return any(
            isinstance(v, ExternalV) and v.path.startswith("django.") and v.path.endswith(".Q")
            for v in self.evaluator.evaluate(call.func, frame)
        )

    def _joins(self, model: DjangoModel, path: str) -> list[tuple[DjangoModel, list[TableKey]]]:
        """The tables a lookup path makes the query join, as Django does: a relation's through
        table, and its model's table unless the path ends at a forward relation compared by
        its key (`author=x`, `author__in=...`, `author__id=1`, `author__isnull=True`: Django
        trims that join and compares the local column); a reverse relation's table always
        (the key lives there)."""
        parts = [part for part in path.split("__") if part]
        found: list[tuple[DjangoModel, list[TableKey]]] = []
        current = model
        for index, part in enumerate(parts):
            relation = self._relation(current, part, query=True)
            if relation is None:
                break
            target, through, tables, reverse = relation
            rest = parts[index + 1:]
            deeper = bool(rest) and rest[0] not in DJANGO_LOOKUPS and rest[0] not in ("pk", "id")
            found.append((target, [*through, *(tables if reverse or deeper else [])]))
            if not deeper:
                break
            current = target
        return [(target, tables) for target, tables in found if tables]

    def _extra_tables(
        self, step: ChainStep, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        out = []
        for (name, value), lines in zip(step.kwargs, step.kwarg_lines, strict=False):
            if name != "tables":
                continue
            for values in self.evaluator.evaluate(value, frame):
                if not isinstance(values, SeqV):
                    continue
                for index, item in enumerate(values.items):
                    if not isinstance(item, StrV) or not item.value:
                        continue
                    line = lines[index] if index < len(lines) else step.line
                    out.append(
                        (self._sql_table(item.value), line, "read", "select", "sql", "high")
                    )
        return out

    def _sql_table(self, name: str) -> TableKey:
        """A table named in `.extra(tables=...)`: Django quotes it, so its case stays."""
        schema, _, table = name.rpartition(".")
        return TableKey(normalize_identifier(schema, True) if schema else self.schema, table)

    def _shortcut(
        self, chain: DjangoChain, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]]:
        root = chain.root
        if not isinstance(root, ir.Call) or not root.args:
            return []
        called = self.evaluator.evaluate(root.func, frame)
        if not any(isinstance(v, ExternalV) and v.path.endswith(SHORTCUT_NAMES) for v in called):
            return []
        inner = self.type_of(root.args[0], frame)
        if inner is None or inner.kind not in ("class", "manager"):
            return []  # a queryset argument is a chain of its own
        return self._emit(inner.model.tables(), chain.line, "read", "get_object_or_404", inner)

    def _registration(
        self, chain: DjangoChain, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]] | None:
        """`admin.site.register(M, ...)`, `@admin.register(M)`, a custom AdminSite's
        `register`: the admin lists and edits M's table."""
        last = chain.steps[-1]
        if last.name != "register" or not last.call or not last.args:
            return None
        receiver: ir.Expr = chain.root
        for step in chain.steps[:-1]:
            if step.call or step.name == "[]":
                return None
            receiver = ir.Attr(receiver, step.name)
        if not self._is_admin_site(self.evaluator.evaluate(receiver, frame)):
            return None
        out: list[tuple[TableKey, int, str, str, str, str]] = []
        first, line = last.args[0], last.arg_lines[0] if last.arg_lines else last.line
        items = first.items if isinstance(first, ir.Seq) else (first,)
        for item in items:
            typed = self.type_of(item, frame)
            if typed is None or typed.kind != "class":
                continue
            for kind in ("read", "write"):
                out.extend(self._emit(typed.model.tables(), line, kind, "admin", typed))
        return out

    def _registration_call(
        self, chain: DjangoChain, frame: Frame
    ) -> list[tuple[TableKey, int, str, str, str, str]] | None:
        """`@register(M)` with admin's `register` imported bare (`from django.contrib.admin
        import register`) or a project's alias of it (`register = partial(admin.register,
        site=site)`): the admin lists and edits M's table."""
        root = chain.root
        if not isinstance(root, ir.Call) or not root.args:
            return None
        if not any(
            _admin_register(value) for value in self.evaluator.evaluate(root.func, frame)
        ):
            return None
        out: list[tuple[TableKey, int, str, str, str, str]] = []
        first = root.args[0]
        for item in first.items if isinstance(first, ir.Seq) else (first,):
            typed = self.type_of(item, frame)
            if typed is None or typed.kind != "class":
                continue
            for kind in ("read", "write"):
                out.extend(self._emit(typed.model.tables(), chain.line, kind, "admin", typed))
        return out

    def _is_admin_site(self, values: tuple[Value, ...]) -> bool:
        for value in values:
            if isinstance(value, ExternalV | ExternalResultV) and value.path.startswith(
                "django.contrib.admin"
            ):
                return True
            if isinstance(value, InstanceV) and (
                set(self.resolver.ancestry(value.cls)[1]) & ADMIN_SITES
            ):
                return True
        return False

    # ---- what contrib does with the project's tables ---------------------------------------

    def history_uses(self, uses: list[tuple[TableKey, Use]]) -> list[tuple[TableKey, Use]]:
        """django-simple-history writes a model's historical table from its save and delete
        signals, wherever the model is saved (a form, a serializer, the admin): one write at
        the `HistoricalRecords()` declaration when code uses the model's table, of high
        confidence when code writes it, else medium (the saves are not in sight)."""
        kinds: dict[TableKey, set[str]] = {}
        for key, use in uses:
            kinds.setdefault(key, set()).add(use.kind)
        out: list[tuple[TableKey, Use]] = []
        for label in sorted(self.project.models):
            model = self.project.models[label]
            history = model.history
            if history is None or model.table is None or model.table not in kinds:
                continue
            written = "write" in kinds[model.table]
            out.append(
                (
                    history.table,
                    Use(
                        path=history.path, line=history.line,
                        module=history.module, kind="write", via="orm",
                        confidence="high" if written else "medium",
                        operation="HistoricalRecords",
                        snippet=f"{model.name}.{history.attribute} = HistoricalRecords(): a "
                        f"row for each save and delete of {model.name}",
                    ),
                )
            )
        return out

    def installed_app_uses(self) -> list[tuple[TableKey, Use]]:
        """AUTH_USER_MODEL: django.contrib.auth logs users in and checks permissions through
        the user model's table and its groups / user_permissions tables, whether or not the
        project's own code names them. The use is at the setting."""
        project = self.project
        user = project.user_model
        where = project.auth_user_model_at
        installed = {app.name for app in project.apps.values() if app.external}
        if (
            user is None or user.owner is not None or where is None
            or "django.contrib.auth" not in installed or project.settings is None
        ):
            return []
        path, line = where
        tables = list(user.tables())
        for item in user.fields:
            if item.kind == "m2m" and item.name in ("groups", "user_permissions"):
                tables.extend(t for t in self._through(user, item) if t not in tables)
        snippet = (
            f"AUTH_USER_MODEL = {project.auth_user_model!r}: django.contrib.auth reads and "
            "writes it (login, permissions)"
        )
        return [
            (
                key,
                Use(
                    path=path, line=line, module=project.settings.module, kind=kind, via="orm",
                    operation="AUTH_USER_MODEL", snippet=snippet,
                ),
            )
            for key in tables
            for kind in ("read", "write")
        ]


#: Django admin's `register` decorator, by the paths it is imported from.
ADMIN_REGISTER = frozenset(
    {"django.contrib.admin.register", "django.contrib.admin.decorators.register"}
)


def _annotation_of(param: ir.Param, frame: Frame) -> ir.Expr | None:
    """The annotation a parameter of a function of the frame's module is written with."""
    function = frame.module.functions.get(param.function)
    if function is None:
        return None
    return next((p.annotation for p in function.params if p.name == param.name), None)


def _stepped(expr: ir.Expr, steps: tuple[ChainStep, ...]) -> ir.Expr:
    """`expr` followed by the chain's `steps`, as one expression (`x.a.b(...)[...]`)."""
    for step in steps:
        if step.name == "[]":
            expr = ir.Subscript(expr, step.args[0] if step.args else ir.Const(None))
        elif step.call:
            expr = ir.Call(ir.Attr(expr, step.name), step.args, step.kwargs)
        else:
            expr = ir.Attr(expr, step.name)
    return expr


def _admin_register(value: Value) -> bool:
    """Admin's `register`, or a `functools.partial` of it."""
    if isinstance(value, PartialV):
        return _admin_register(value.func)
    return isinstance(value, ExternalV) and value.path in ADMIN_REGISTER
