"""The contract between the build's parts, in one place (as Pelican's
signals.py and Datasette's hookspecs.py are theirs).

Every document the build reads is ``article.doc``, the typed Document the
gongkai_reader plugin (always first) gives Pelican as metadata; it gets one
``Facts`` object (``article.facts``) and the site one ``SiteFacts`` (``gk`` in
the template context). Plugins talk to each other only through these. Each plugin module declares

    NEEDS = {"refs"}                  # facts it reads
    PROVIDES = {"solicitation", …}    # facts it sets (on every document, None where they do not apply)

and ``check_plugins`` holds the plugins to it when the build starts: every
fact has exactly one provider, every need is provided by a plugin earlier in
PLUGINS, and nobody provides what is not declared here. At run time a fact
read before its provider set it stops the build with one line (never an
AttributeError, which Jinja would turn into an empty value).

docs/development.md lists each plugin's contract; tests/test_contract.py
fails when it is out of date."""
from __future__ import annotations

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


class ContractError(RuntimeError):
    """The plugins do not keep the contract; the message is one line for staff."""


class FactMissing(RuntimeError):
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


def declared(module) -> tuple[set, set]:
    """(NEEDS, PROVIDES) of a plugin module; ContractError when it declares none."""
    name = module.__name__.rpartition(".")[2]
    needs, provides = getattr(module, "NEEDS", None), getattr(module, "PROVIDES", None)
    if needs is None or provides is None:
        raise ContractError(f"插件 {name} 没有声明 NEEDS 和 PROVIDES（见 gongkai/build/contract.py）")
    return set(needs), set(provides)


def check_plugins(modules) -> dict:
    """Hold the plugins, in PLUGINS order, to the contract; returns {fact: provider}.
    Raises ContractError with one line on the first broken rule."""
    known = set(DOCUMENT_FACTS) | set(SITE_FACTS)
    providers: dict = {}
    for module in modules:
        name = module.__name__.rpartition(".")[2]
        needs, provides = declared(module)
        for fact in sorted((needs | provides) - known):
            raise ContractError(f"插件 {name} 声明了未登记的页面数据 {fact}；请先在 gongkai/build/contract.py 中登记")
        for fact in sorted(provides):
            if fact in providers:
                raise ContractError(f"页面数据 {fact} 有两个提供者：{providers[fact]} 和 {name}；每项只能由一个插件提供")
            providers[fact] = name
        for fact in sorted(needs - provides):
            if fact not in providers:
                later = next((m.__name__.rpartition(".")[2] for m in modules
                              if fact in declared(m)[1]), None)
                where = f"提供它的插件 {later} 排在后面" if later else "没有插件提供它"
                raise ContractError(f"插件 {name} 需要页面数据 {fact}，但{where}；请调整 pelicanconf.py 中 PLUGINS 的顺序")
    for fact in sorted(known - set(providers)):
        raise ContractError(f"页面数据 {fact} 没有插件提供；请检查 pelicanconf.py 中的 PLUGINS")
    _PROVIDERS.clear()
    _PROVIDERS.update(providers)
    return providers
