"""The contract between the build's parts, in one place (as Pelican's
signals.py and Datasette's hookspecs.py are theirs).

Every document the build reads is ``article.doc``, the typed Document the
gongkai_reader plugin (always first) gives Pelican as metadata; it gets one
``Facts`` object (``article.facts``) and the site one ``SiteFacts`` (``gk`` in
the template context). Plugins talk to each other only through these. Each plugin module declares

    NEEDS = {"refs"}                  # facts it reads
    PROVIDES = {"solicitation", …}    # facts it sets (on every document, None where they do not apply)

each naming the Pelican signal at which it reads or sets the fact, e.g.

    NEEDS = {"refs": "all_generators_finalized"}
    PROVIDES = {"solicitation": "all_generators_finalized"}

and ``check_plugins`` holds the plugins to it when the build starts: every
fact has exactly one provider; every need is met by then (set at an earlier
signal, or at the same signal by a plugin earlier in PLUGINS); every fact is
set before Pelican writes the pages; nobody provides what is not declared here. At run time a fact
read before its provider set it stops the build with one line (never an
AttributeError, which Jinja would turn into an empty value).

docs/development.md lists each plugin's contract; tests/test_contract.py
fails when it is out of date."""
from __future__ import annotations

from gongkai.build.errors import StaffError

# Facts of one document's page: name -> what it is.
DOCUMENT_FACTS = {
    "refs": "{field: article, or [article] for a list}: each x-reference field this document names, resolved",
    "back": "{field: [article]}: the documents that name this one, by the field they name it in",
    "relations": "[(heading, [article])]: every link, both directions, as the page lists them",
    "history": "[Revision]: the commits that changed the file (修订记录)",
    "breadcrumb": "[(title, url)]: 首页 › 政务公开 › 五公开类别 › 类型",
    "newer": "the next newer document of the same type, or None",
    "older": "the next older document of the same type, or None",
    "related_auto": "[article]: up to five related documents not already linked (相关信息)",
    "solicitation": "SolicitationPage of a 意见征集 (state, rows, ways to respond, feedback, decision), else None",
    "decision": "DecisionPage of a 决策结果 (rows, the solicitation it follows), else None",
    "budget": "budget page values of a 财政预决算 (tables, charts, year-on-year), else None",
    "project": "ProjectPage of a 重大建设项目 (approval rows, stages), else None",
    "search_keys": "what the search index holds beside the body (title, 发文字号/索引号 keys, filters), or None",
}

# Facts of the whole site (the template context's `gk`): name -> what it is.
SITE_FACTS = {
    "nav": "[(title, url)]: the header menu",
    "pages": "[page]: the fixed pages, in menu order",
    "root_url": "the site's address as the build writes it (SITEURL)",
    "types": "{type: title}: the content types, in listing order",
    "disclosures": "{code: title}: the five disclosure categories",
    "validity": "{value: title}: 有效 / 已失效 / 已废止",
    "open_solicitations": "[article]: solicitations open at the build clock, soonest closing first",
    "solicitations": "[article]: every solicitation, newest first",
    "solicitations_by_state": "{state: [article]}: the 意见征集 listings",
    "solicitations_url": "address of the 意见征集 listing",
    "solicitations_feed_url": "address of the 意见征集 Atom feed",
    "search_bundles": "[url]: the Pagefind bundles the search page loads",
}


class ContractError(StaffError):
    """The plugins do not keep the contract; the message is one line for staff."""


class FactMissing(StaffError):
    """A fact was read before its provider set it (not an AttributeError on purpose)."""


_UNSET = object()


class _Facts:
    """Slots for declared facts only: setting an undeclared one fails at once."""
    __slots__ = ()
    _kind = ""

    def __init__(self):
        for name in self.__slots__:
            object.__setattr__(self, name, _UNSET)

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if value is _UNSET:
            provider = _PROVIDERS.get(name, "（未登记）")
            raise FactMissing(f"页面数据 {name} 还没有提供：应由插件 {provider} 提供；"
                              "请检查 pelicanconf.py 中 PLUGINS 的顺序")
        return value

    def is_set(self, name: str) -> bool:
        return object.__getattribute__(self, name) is not _UNSET

    def __getstate__(self):
        return {n: object.__getattribute__(self, n) for n in self.__slots__}

    def __setstate__(self, state):
        for name in self.__slots__:
            object.__setattr__(self, name, state.get(name, _UNSET))


class Facts(_Facts):
    """What the build's parts know about one document's page (DOCUMENT_FACTS)."""
    __slots__ = tuple(DOCUMENT_FACTS)


class SiteFacts(_Facts):
    """What the build's parts know about the whole site (SITE_FACTS)."""
    __slots__ = tuple(SITE_FACTS)


_PROVIDERS: dict = {}   # fact -> plugin, filled by check_plugins


# Pelican's signals in the order a build sends them; the pages are written
# between all_generators_finalized and article_writer_finalized.
STAGES = ("initialized", "generator_init", "article_generator_init", "content_object_init",
          "article_generator_pretaxonomy", "article_generator_finalized", "all_generators_finalized",
          "article_writer_finalized", "finalized")
PAGES_WRITTEN = STAGES.index("all_generators_finalized")


def _name(module) -> str:
    return module.__name__.rpartition(".")[2]


def declared(module) -> tuple[dict, dict]:
    """(NEEDS, PROVIDES) of a plugin module, {fact: stage}; ContractError when it declares none."""
    needs, provides = getattr(module, "NEEDS", None), getattr(module, "PROVIDES", None)
    if not isinstance(needs, dict) or not isinstance(provides, dict):
        raise ContractError(f"插件 {_name(module)} 没有声明 NEEDS 和 PROVIDES（见 gongkai/build/contract.py）")
    for fact, stage in {**needs, **provides}.items():
        if stage not in STAGES:
            raise ContractError(f"插件 {_name(module)} 为页面数据 {fact} 写的时机 {stage} 不是已知的 Pelican 信号；"
                                f"应为以下之一：{'、'.join(STAGES)}")
    return dict(needs), dict(provides)


def check_plugins(modules) -> dict:
    """Hold the plugins, in PLUGINS order, to the contract; returns {fact: provider}.
    Raises ContractError with one line on the first broken rule."""
    known = set(DOCUMENT_FACTS) | set(SITE_FACTS)
    providers: dict = {}   # fact -> (plugin, position, stage)
    declarations = [(_name(m), *declared(m)) for m in modules]
    for position, (name, needs, provides) in enumerate(declarations):
        for fact in sorted((set(needs) | set(provides)) - known):
            raise ContractError(f"插件 {name} 声明了未登记的页面数据 {fact}；请先在 gongkai/build/contract.py 中登记")
        for fact, stage in sorted(provides.items()):
            if fact in providers:
                raise ContractError(f"页面数据 {fact} 有两个提供者：{providers[fact][0]} 和 {name}；每项只能由一个插件提供")
            providers[fact] = (name, position, STAGES.index(stage))
    for fact in sorted(known - set(providers)):
        raise ContractError(f"页面数据 {fact} 没有插件提供；请检查 pelicanconf.py 中的 PLUGINS")
    for fact, (name, _position, stage) in sorted(providers.items()):
        if stage > PAGES_WRITTEN:
            raise ContractError(f"插件 {name} 在 {STAGES[stage]} 才提供页面数据 {fact}，晚于写出页面；"
                                "应在 all_generators_finalized 或更早提供")
    for position, (name, needs, provides) in enumerate(declarations):
        for fact, stage in sorted(needs.items()):
            by, at, when = providers[fact]
            if by != name and (when > STAGES.index(stage) or (when == STAGES.index(stage) and at > position)):
                raise ContractError(f"插件 {name} 需要页面数据 {fact}，但提供它的插件 {by} 排在后面；"
                                    "请调整 pelicanconf.py 中 PLUGINS 的顺序")
    _PROVIDERS.clear()
    _PROVIDERS.update({fact: name for fact, (name, _p, _s) in providers.items()})
    return dict(_PROVIDERS)
