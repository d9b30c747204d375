// WIT parser: recursive descent over the token vector of one file. The
// productions follow WIT.md ("Top-level items" onwards); comments name them.
#include "component/wit/parser.h"

#include <utility>

#include "component/wit/lexer.h"

namespace compono::component::wit {
namespace {

using ast::Span;

class Parser {
 public:
  Parser(std::string_view path, std::vector<Token> tokens, uint32_t fileIndex)
      : path_(path), tokens_(std::move(tokens)), file_(fileIndex) {}

  // wit-file ::= (package-decl ';')? (package-items | nested-package-definition)*
  Result<ast::File> parseFile() {
    ast::File file;
    file.index = file_;
    bool first = true;
    while (!at(Tok::kEof)) {
      ast::Attrs attrs;
      COMPONO_TRY(parseAttrs(attrs));
      if (at(Tok::kPackage)) {
        Span span = here();
        next();
        ast::PackageDecl decl;
        decl.attrs = std::move(attrs);
        decl.span = span;
        COMPONO_TRY(parsePackageName(decl.name));
        if (at(Tok::kLBrace)) {
          next();
          ast::NestedPackage nested;
          nested.decl = std::move(decl);
          while (!at(Tok::kRBrace)) {
            if (at(Tok::kEof)) return errorHere("expected `}` to close the package block");
            ast::Attrs itemAttrs;
            COMPONO_TRY(parseAttrs(itemAttrs));
            if (at(Tok::kPackage)) return errorHere("package blocks cannot be nested");
            COMPONO_TRY(parsePackageItem(std::move(itemAttrs), nested.items));
          }
          next();
          file.nested.push_back(std::move(nested));
        } else {
          if (!first) {
            return error(span,
                         "`package NAME;` must come first in a file (a package block is "
                         "written `package NAME { ... }`)");
          }
          COMPONO_TRY(expect(Tok::kSemi));
          file.decl = std::move(decl);
        }
      } else {
        COMPONO_TRY(parsePackageItem(std::move(attrs), file.items));
      }
      first = false;
    }
    return file;
  }

 private:
  // --- token access -------------------------------------------------------

  const Token& cur() const { return tokens_[pos_]; }
  const Token& peekTok(size_t ahead) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool at(Tok kind) const { return cur().kind == kind; }
  void next() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  Span here() const { return spanOf(cur()); }
  Span spanOf(const Token& t) const { return Span{file_, t.line, t.column}; }

  Error error(const Span& span, const std::string& message) const {
    return Error(ErrorCode::kDecode, std::string(path_) + ":" + std::to_string(span.line) + ":" +
                                         std::to_string(span.column) + ": " + message);
  }
  Error errorHere(const std::string& message) const { return error(here(), message); }

  std::string found() const {
    const Token& t = cur();
    if (t.kind == Tok::kId) return "identifier `" + t.value + "`";
    if (t.kind == Tok::kNumber) return "`" + t.value + "`";
    return tokDescription(t.kind);
  }
  Error expected(const std::string& what) const {
    return errorHere("expected " + what + ", found " + found());
  }

  Status expect(Tok kind) {
    if (!at(kind)) return expected(tokDescription(kind));
    next();
    return okStatus();
  }

  Status parseIdent(ast::Ident& out) {
    if (!at(Tok::kId)) {
      if (isKeyword(cur().kind)) {
        std::string kw = tokDescription(cur().kind);
        std::string bare = kw.substr(kw.find('`') + 1);
        bare.pop_back();
        return errorHere("expected an identifier, found " + kw + " (write `%" + bare +
                         "` to use it as a name)");
      }
      return expected("an identifier");
    }
    out.name = cur().value;
    out.span = here();
    next();
    return okStatus();
  }

  // --- attributes ---------------------------------------------------------

  void takeDocs(ast::Attrs& attrs) {
    Token& t = tokens_[pos_];
    if (t.docs.empty()) return;
    if (!attrs.docs.empty()) attrs.docs += '\n';
    attrs.docs += t.docs;
    t.docs.clear();
  }

  // gate ::= gate-item*; also @external-id("...").
  Status parseAttrs(ast::Attrs& attrs) {
    takeDocs(attrs);
    while (at(Tok::kAt)) {
      Span at = here();
      next();
      if (!this->at(Tok::kId))
        return expected("`since`, `unstable`, `deprecated` or `external-id`");
      std::string name = cur().value;
      next();
      COMPONO_TRY(expect(Tok::kLParen));
      if (name == "external-id") {
        if (!this->at(Tok::kString)) return expected("a string");
        if (attrs.externalId) return error(at, "duplicate `@external-id`");
        attrs.externalId = cur().value;
        attrs.externalIdSpan = at;
        next();
      } else if (name == "since" || name == "deprecated" || name == "unstable") {
        ast::Gate gate;
        gate.span = at;
        bool unstable = name == "unstable";
        gate.kind = unstable
                        ? ast::GateKind::kUnstable
                        : (name == "since" ? ast::GateKind::kSince : ast::GateKind::kDeprecated);
        const char* field = unstable ? "feature" : "version";
        if (!this->at(Tok::kId) || cur().value != field) {
          return expected(std::string("`") + field + "`");
        }
        next();
        COMPONO_TRY(expect(Tok::kEquals));
        gate.valueSpan = here();
        if (unstable) {
          ast::Ident feature;
          COMPONO_TRY(parseIdent(feature));
          gate.value = feature.name;
        } else {
          if (!this->at(Tok::kNumber)) return expected("a version");
          gate.value = cur().value;
          next();
        }
        attrs.gates.push_back(std::move(gate));
      } else {
        return error(at, "unknown annotation `@" + name + "`");
      }
      COMPONO_TRY(expect(Tok::kRParen));
      takeDocs(attrs);
    }
    return okStatus();
  }

  // --- names and paths ----------------------------------------------------

  // package-decl ::= 'package' id ':' id ('@' valid-semver)?
  Status parsePackageName(ast::PackageName& out) {
    out.span = here();
    COMPONO_TRY(parseIdent(out.ns));
    COMPONO_TRY(expect(Tok::kColon));
    COMPONO_TRY(parseIdent(out.name));
    if (at(Tok::kColon)) return errorHere("nested namespaces (`a:b:c`) are not supported");
    if (at(Tok::kSlash))
      return errorHere("nested packages (`a:b/c` in a package name) are not supported");
    COMPONO_TRY(parseOptionalVersion(out));
    return okStatus();
  }

  Status parseOptionalVersion(ast::PackageName& out) {
    if (!at(Tok::kAt)) return okStatus();
    next();
    if (!at(Tok::kNumber)) return expected("a version");
    out.version = cur().value;
    out.versionSpan = here();
    next();
    return okStatus();
  }

  // use-path ::= id | id ':' id '/' id ('@' valid-semver)?
  Status parseUsePath(ast::UsePath& out) {
    out.span = here();
    ast::Ident first;
    COMPONO_TRY(parseIdent(first));
    if (!at(Tok::kColon)) {
      out.name = std::move(first);
      return okStatus();
    }
    next();
    ast::PackageName pkg;
    pkg.span = out.span;
    pkg.ns = std::move(first);
    COMPONO_TRY(parseIdent(pkg.name));
    if (at(Tok::kColon)) return errorHere("nested namespaces (`a:b:c`) are not supported");
    if (!at(Tok::kSlash)) {
      return expected("`/` and an interface name after the package `" + pkg.ns.name + ":" +
                      pkg.name.name + "`");
    }
    next();
    COMPONO_TRY(parseIdent(out.name));
    if (at(Tok::kSlash)) return errorHere("nested packages (`a:b/c/d`) are not supported");
    COMPONO_TRY(parseOptionalVersion(pkg));
    out.package = std::move(pkg);
    return okStatus();
  }

  // --- top level ----------------------------------------------------------

  // package-items ::= toplevel-use-item | interface-item | world-item
  Status parsePackageItem(ast::Attrs attrs, std::vector<ast::PackageItem>& items) {
    switch (cur().kind) {
      case Tok::kUse: {
        // toplevel-use-item ::= 'use' use-path ('as' id)? ';'
        ast::TopUse use;
        use.attrs = std::move(attrs);
        use.span = here();
        next();
        COMPONO_TRY(parseUsePath(use.path));
        if (at(Tok::kDot)) {
          return errorHere("`use PATH.{...}` belongs inside an interface or world");
        }
        if (at(Tok::kAs)) {
          next();
          ast::Ident as;
          COMPONO_TRY(parseIdent(as));
          use.as = std::move(as);
        }
        COMPONO_TRY(expect(Tok::kSemi));
        items.emplace_back(std::move(use));
        return okStatus();
      }
      case Tok::kInterface: {
        ast::Interface iface;
        iface.attrs = std::move(attrs);
        iface.span = here();
        next();
        COMPONO_TRY(parseIdent(iface.name));
        COMPONO_TRY(parseInterfaceBody(iface));
        items.emplace_back(std::move(iface));
        return okStatus();
      }
      case Tok::kWorld: {
        ast::World world;
        world.attrs = std::move(attrs);
        world.span = here();
        next();
        COMPONO_TRY(parseIdent(world.name));
        COMPONO_TRY(parseWorldBody(world));
        items.emplace_back(std::move(world));
        return okStatus();
      }
      default:
        return expected("`interface`, `world`, `use` or `package`");
    }
  }

  // interface-item ::= gate 'interface' id '{' interface-items* '}'
  Status parseInterfaceBody(ast::Interface& iface) {
    COMPONO_TRY(expect(Tok::kLBrace));
    while (!at(Tok::kRBrace)) {
      if (at(Tok::kEof)) return expected("`}`");
      ast::Attrs attrs;
      COMPONO_TRY(parseAttrs(attrs));
      COMPONO_TRY(parseInterfaceItem(std::move(attrs), iface.items));
    }
    next();
    return okStatus();
  }

  // interface-definition ::= use-item | typedef-item | func-item
  Status parseInterfaceItem(ast::Attrs attrs, std::vector<ast::InterfaceItem>& items) {
    if (at(Tok::kUse)) {
      ast::Use use;
      COMPONO_TRY(parseUse(std::move(attrs), use));
      items.emplace_back(std::move(use));
      return okStatus();
    }
    if (isTypeDefStart()) {
      ast::TypeDef def;
      COMPONO_TRY(parseTypeDef(std::move(attrs), def));
      items.emplace_back(std::move(def));
      return okStatus();
    }
    if (at(Tok::kId)) {
      // func-item ::= id ':' func-type ';'
      ast::Func func;
      func.attrs = std::move(attrs);
      COMPONO_TRY(parseIdent(func.name));
      COMPONO_TRY(expect(Tok::kColon));
      COMPONO_TRY(parseFuncType(func.sig));
      COMPONO_TRY(expect(Tok::kSemi));
      items.emplace_back(std::move(func));
      return okStatus();
    }
    return expected("a type definition, `use` or a function (`name: func(...)`)");
  }

  // use-item ::= 'use' use-path '.' '{' use-names-list '}' ';'
  Status parseUse(ast::Attrs attrs, ast::Use& use) {
    use.attrs = std::move(attrs);
    use.span = here();
    COMPONO_TRY(expect(Tok::kUse));
    COMPONO_TRY(parseUsePath(use.path));
    COMPONO_TRY(expect(Tok::kDot));
    COMPONO_TRY(expect(Tok::kLBrace));
    while (true) {
      ast::UseName name;
      COMPONO_TRY(parseIdent(name.name));
      if (at(Tok::kAs)) {
        next();
        ast::Ident as;
        COMPONO_TRY(parseIdent(as));
        name.as = std::move(as);
      }
      use.names.push_back(std::move(name));
      if (at(Tok::kComma)) {
        next();
        if (at(Tok::kRBrace)) break;
        continue;
      }
      break;
    }
    COMPONO_TRY(expect(Tok::kRBrace));
    COMPONO_TRY(expect(Tok::kSemi));
    return okStatus();
  }

  bool isTypeDefStart() const {
    switch (cur().kind) {
      case Tok::kType:
      case Tok::kRecord:
      case Tok::kVariant:
      case Tok::kEnum:
      case Tok::kFlags:
      case Tok::kResource:
        return true;
      default:
        return false;
    }
  }

  // typedef-item ::= resource-item | variant-items | record-item | flags-items
  //                | enum-items | type-item
  Status parseTypeDef(ast::Attrs attrs, ast::TypeDef& def) {
    def.attrs = std::move(attrs);
    def.span = here();
    Tok kw = cur().kind;
    next();
    COMPONO_TRY(parseIdent(def.name));
    switch (kw) {
      case Tok::kType: {
        def.kind = ast::TypeDefKind::kAlias;
        COMPONO_TRY(expect(Tok::kEquals));
        ast::Type target;
        COMPONO_TRY(parseType(target, 0));
        def.target = std::move(target);
        return expect(Tok::kSemi);
      }
      case Tok::kRecord: {
        def.kind = ast::TypeDefKind::kRecord;
        COMPONO_TRY(expect(Tok::kLBrace));
        do {
          if (at(Tok::kRBrace) && !def.fields.empty()) break;
          ast::Field field;
          COMPONO_TRY(parseAttrs(field.attrs));
          COMPONO_TRY(noGates(field.attrs, "record fields"));
          COMPONO_TRY(parseIdent(field.name));
          COMPONO_TRY(expect(Tok::kColon));
          COMPONO_TRY(parseType(field.type, 0));
          def.fields.push_back(std::move(field));
        } while (eatComma());
        return expect(Tok::kRBrace);
      }
      case Tok::kVariant:
      case Tok::kEnum:
      case Tok::kFlags: {
        def.kind = kw == Tok::kVariant ? ast::TypeDefKind::kVariant
                   : kw == Tok::kEnum  ? ast::TypeDefKind::kEnum
                                       : ast::TypeDefKind::kFlags;
        COMPONO_TRY(expect(Tok::kLBrace));
        do {
          if (at(Tok::kRBrace) && !def.cases.empty()) break;
          ast::Case c;
          COMPONO_TRY(parseAttrs(c.attrs));
          COMPONO_TRY(noGates(c.attrs, "cases and flags"));
          COMPONO_TRY(parseIdent(c.name));
          if (kw == Tok::kVariant && at(Tok::kLParen)) {
            next();
            ast::Type payload;
            COMPONO_TRY(parseType(payload, 0));
            c.type = std::move(payload);
            COMPONO_TRY(expect(Tok::kRParen));
          }
          def.cases.push_back(std::move(c));
        } while (eatComma());
        return expect(Tok::kRBrace);
      }
      case Tok::kResource: {
        // resource-item ::= 'resource' id ';' | 'resource' id '{' resource-method* '}'
        def.kind = ast::TypeDefKind::kResource;
        if (at(Tok::kSemi)) {
          next();
          return okStatus();
        }
        COMPONO_TRY(expect(Tok::kLBrace));
        while (!at(Tok::kRBrace)) {
          if (at(Tok::kEof)) return expected("`}`");
          ast::ResourceFunc func;
          COMPONO_TRY(parseAttrs(func.attrs));
          COMPONO_TRY(parseResourceFunc(func));
          def.funcs.push_back(std::move(func));
        }
        next();
        return okStatus();
      }
      default:
        return expected("a type definition");
    }
  }

  Status noGates(const ast::Attrs& attrs, const char* what) {
    if (!attrs.gates.empty())
      return error(attrs.gates[0].span, std::string(what) + " cannot be gated");
    if (attrs.externalId)
      return error(attrs.externalIdSpan, std::string(what) + " cannot have `@external-id`");
    return okStatus();
  }

  bool eatComma() {
    if (!at(Tok::kComma)) return false;
    next();
    return true;
  }

  // resource-method ::= func-item | id ':' 'static' func-type ';'
  //                   | 'constructor' param-list ('->' ty)? ';'
  Status parseResourceFunc(ast::ResourceFunc& func) {
    if (at(Tok::kConstructor)) {
      func.kind = ast::ResourceFuncKind::kConstructor;
      func.name.name = "constructor";
      func.name.span = here();
      func.sig.span = here();
      next();
      COMPONO_TRY(parseParams(func.sig));
      COMPONO_TRY(parseOptionalResult(func.sig));
      return expect(Tok::kSemi);
    }
    COMPONO_TRY(parseIdent(func.name));
    COMPONO_TRY(expect(Tok::kColon));
    func.kind = ast::ResourceFuncKind::kMethod;
    if (at(Tok::kStatic)) {
      func.kind = ast::ResourceFuncKind::kStatic;
      next();
    }
    COMPONO_TRY(parseFuncType(func.sig));
    return expect(Tok::kSemi);
  }

  // func-type ::= 'async'? 'func' param-list result-list
  Status parseFuncType(ast::FuncSig& sig) {
    sig.span = here();
    if (at(Tok::kAsync)) {
      sig.isAsync = true;
      next();
    }
    COMPONO_TRY(expect(Tok::kFunc));
    COMPONO_TRY(parseParams(sig));
    return parseOptionalResult(sig);
  }

  // param-list ::= '(' named-type-list ')'  (a trailing comma is accepted)
  Status parseParams(ast::FuncSig& sig) {
    COMPONO_TRY(expect(Tok::kLParen));
    while (!at(Tok::kRParen)) {
      ast::Param p;
      COMPONO_TRY(parseIdent(p.name));
      COMPONO_TRY(expect(Tok::kColon));
      COMPONO_TRY(parseType(p.type, 0));
      sig.params.push_back(std::move(p));
      if (!eatComma()) break;
    }
    return expect(Tok::kRParen);
  }

  // result-list ::= ϵ | '->' ty
  Status parseOptionalResult(ast::FuncSig& sig) {
    if (!at(Tok::kArrow)) return okStatus();
    next();
    if (at(Tok::kLParen)) {
      return errorHere(
          "named results (`-> (a: T, ...)`) are not WIT any more; return a tuple or a record");
    }
    ast::Type result;
    COMPONO_TRY(parseType(result, 0));
    sig.result = std::move(result);
    return okStatus();
  }

  // --- worlds -------------------------------------------------------------

  // world-item ::= gate 'world' id '{' world-items* '}'
  Status parseWorldBody(ast::World& world) {
    COMPONO_TRY(expect(Tok::kLBrace));
    while (!at(Tok::kRBrace)) {
      if (at(Tok::kEof)) return expected("`}`");
      ast::Attrs attrs;
      COMPONO_TRY(parseAttrs(attrs));
      COMPONO_TRY(parseWorldItem(std::move(attrs), world.items));
    }
    next();
    return okStatus();
  }

  // world-definition ::= export-item | import-item | use-item | typedef-item | include-item
  Status parseWorldItem(ast::Attrs attrs, std::vector<ast::WorldItem>& items) {
    if (at(Tok::kImport) || at(Tok::kExport)) {
      ast::Extern ext;
      COMPONO_TRY(parseExtern(std::move(attrs), ext));
      items.emplace_back(std::move(ext));
      return okStatus();
    }
    if (at(Tok::kUse)) {
      ast::Use use;
      COMPONO_TRY(parseUse(std::move(attrs), use));
      items.emplace_back(std::move(use));
      return okStatus();
    }
    if (isTypeDefStart()) {
      ast::TypeDef def;
      COMPONO_TRY(parseTypeDef(std::move(attrs), def));
      items.emplace_back(std::move(def));
      return okStatus();
    }
    if (at(Tok::kInclude)) {
      // include-item ::= 'include' use-path ';'
      //                | 'include' use-path 'with' '{' include-names-list '}'
      ast::Include inc;
      inc.attrs = std::move(attrs);
      inc.span = here();
      next();
      COMPONO_TRY(parseUsePath(inc.path));
      if (at(Tok::kWith)) {
        next();
        COMPONO_TRY(expect(Tok::kLBrace));
        do {
          if (at(Tok::kRBrace) && !inc.with.empty()) break;
          ast::Ident from, to;
          COMPONO_TRY(parseIdent(from));
          COMPONO_TRY(expect(Tok::kAs));
          COMPONO_TRY(parseIdent(to));
          inc.with.emplace_back(std::move(from), std::move(to));
        } while (eatComma());
        COMPONO_TRY(expect(Tok::kRBrace));
        if (at(Tok::kSemi)) next();
      } else {
        COMPONO_TRY(expect(Tok::kSemi));
      }
      items.emplace_back(std::move(inc));
      return okStatus();
    }
    return expected("`import`, `export`, `use`, `include` or a type definition");
  }

  // export-item ::= external-id? 'export' id ':' extern-type | 'export' use-path ';'
  // extern-type ::= func-type ';' | 'interface' '{' interface-items* '}' | use-path ';'
  //
  // `a:b/c` (no whitespace around the ':') is a package path; `a: b` names
  // an import `a` (WIT.md "Item: world").
  Status parseExtern(ast::Attrs attrs, ast::Extern& ext) {
    ext.attrs = std::move(attrs);
    ext.isExport = at(Tok::kExport);
    ext.span = here();
    next();
    bool named = at(Tok::kId) && peekTok(1).kind == Tok::kColon;
    if (named && !peekTok(1).spaceBefore && peekTok(2).kind == Tok::kId &&
        !peekTok(2).spaceBefore) {
      named = false;  // a package-qualified path
    }
    if (!named) {
      ext.kind = ast::Extern::Kind::kPath;
      COMPONO_TRY(parseUsePath(ext.path));
      return expect(Tok::kSemi);
    }
    COMPONO_TRY(parseIdent(ext.name));
    COMPONO_TRY(expect(Tok::kColon));
    if (at(Tok::kFunc) || at(Tok::kAsync)) {
      ext.kind = ast::Extern::Kind::kFunc;
      COMPONO_TRY(parseFuncType(ext.sig));
      return expect(Tok::kSemi);
    }
    if (at(Tok::kInterface)) {
      ext.kind = ast::Extern::Kind::kInterface;
      auto iface = std::make_shared<ast::Interface>();
      iface->span = here();
      iface->name.span = ext.name.span;
      next();
      COMPONO_TRY(parseInterfaceBody(*iface));
      ext.interface = std::move(iface);
      return okStatus();
    }
    ext.kind = ast::Extern::Kind::kNamedPath;
    COMPONO_TRY(parseUsePath(ext.path));
    return expect(Tok::kSemi);
  }

  // --- types --------------------------------------------------------------

  Status parseTypeArg(ast::Type& out, int depth) {
    ast::Type arg;
    COMPONO_TRY(parseType(arg, depth + 1));
    out.args.push_back(std::move(arg));
    return okStatus();
  }

  // ty ::= primitives | tuple | list | option | result | map | handle | future | stream | id
  Status parseType(ast::Type& out, int depth) {
    if (depth >= kMaxTypeDepth) {
      return errorHere("types nest too deeply (more than " + std::to_string(kMaxTypeDepth) +
                       " levels)");
    }
    out.span = here();
    auto prim = [&](Primitive p) {
      out.kind = ast::TypeKind::kPrimitive;
      out.primitive = p;
      next();
      return okStatus();
    };
    switch (cur().kind) {
      case Tok::kBool:
        return prim(Primitive::kBool);
      case Tok::kS8:
        return prim(Primitive::kS8);
      case Tok::kU8:
        return prim(Primitive::kU8);
      case Tok::kS16:
        return prim(Primitive::kS16);
      case Tok::kU16:
        return prim(Primitive::kU16);
      case Tok::kS32:
        return prim(Primitive::kS32);
      case Tok::kU32:
        return prim(Primitive::kU32);
      case Tok::kS64:
        return prim(Primitive::kS64);
      case Tok::kU64:
        return prim(Primitive::kU64);
      case Tok::kF32:
        return prim(Primitive::kF32);
      case Tok::kF64:
        return prim(Primitive::kF64);
      case Tok::kChar:
        return prim(Primitive::kChar);
      case Tok::kString_:
        return prim(Primitive::kString);
      case Tok::kErrorContext:
        return prim(Primitive::kErrorContext);
      case Tok::kId:
        out.kind = ast::TypeKind::kNamed;
        return parseIdent(out.name);
      case Tok::kList: {
        out.kind = ast::TypeKind::kList;
        next();
        COMPONO_TRY(expect(Tok::kLt));
        COMPONO_TRY(parseTypeArg(out, depth));
        if (at(Tok::kComma)) {
          next();
          // list ::= 'list' '<' ty ',' uint '>'; uint ::= [1-9][0-9]*
          if (!at(Tok::kNumber)) return expected("a list length");
          const std::string& digits = cur().value;
          bool plain = !digits.empty() && digits[0] != '0' && digits.size() <= 10 &&
                       digits.find_first_not_of("0123456789") == std::string::npos;
          uint64_t n = plain ? std::stoull(digits) : 0;
          if (!plain || n > UINT32_MAX) {
            return errorHere("invalid list length `" + digits +
                             "`: expected an integer from 1 to 4294967295");
          }
          out.length = static_cast<uint32_t>(n);
          next();
        }
        return expect(Tok::kGt);
      }
      case Tok::kMap:
        out.kind = ast::TypeKind::kMap;
        next();
        COMPONO_TRY(expect(Tok::kLt));
        COMPONO_TRY(parseTypeArg(out, depth));
        COMPONO_TRY(expect(Tok::kComma));
        COMPONO_TRY(parseTypeArg(out, depth));
        return expect(Tok::kGt);
      case Tok::kOption:
        out.kind = ast::TypeKind::kOption;
        next();
        COMPONO_TRY(expect(Tok::kLt));
        COMPONO_TRY(parseTypeArg(out, depth));
        return expect(Tok::kGt);
      case Tok::kResult: {
        // result ::= 'result' '<' ty ',' ty '>' | 'result' '<' '_' ',' ty '>'
        //          | 'result' '<' ty '>' | 'result'
        out.kind = ast::TypeKind::kResult;
        next();
        if (!at(Tok::kLt)) return okStatus();
        next();
        if (at(Tok::kUnderscore)) {
          next();
          COMPONO_TRY(expect(Tok::kComma));
          out.hasErr = true;
          COMPONO_TRY(parseTypeArg(out, depth));
          return expect(Tok::kGt);
        }
        out.hasOk = true;
        COMPONO_TRY(parseTypeArg(out, depth));
        if (at(Tok::kComma)) {
          next();
          out.hasErr = true;
          COMPONO_TRY(parseTypeArg(out, depth));
        }
        return expect(Tok::kGt);
      }
      case Tok::kTuple:
        // tuple ::= 'tuple' '<' tuple-list '>'; tuple-list ::= ty | ty ',' tuple-list?
        out.kind = ast::TypeKind::kTuple;
        next();
        COMPONO_TRY(expect(Tok::kLt));
        do {
          if (at(Tok::kGt) && !out.args.empty()) break;
          COMPONO_TRY(parseTypeArg(out, depth));
        } while (eatComma());
        return expect(Tok::kGt);
      case Tok::kBorrow:
      case Tok::kOwn:
        out.kind = at(Tok::kBorrow) ? ast::TypeKind::kBorrow : ast::TypeKind::kOwn;
        next();
        COMPONO_TRY(expect(Tok::kLt));
        COMPONO_TRY(parseIdent(out.name));
        return expect(Tok::kGt);
      case Tok::kFuture:
      case Tok::kStream:
        out.kind = at(Tok::kFuture) ? ast::TypeKind::kFuture : ast::TypeKind::kStream;
        next();
        if (!at(Tok::kLt)) return okStatus();
        next();
        COMPONO_TRY(parseTypeArg(out, depth));
        return expect(Tok::kGt);
      default:
        return expected("a type");
    }
  }

  std::string_view path_;
  std::vector<Token> tokens_;
  uint32_t file_;
  size_t pos_ = 0;
};

}  // namespace

Result<ast::File> parseWitFile(std::string_view path, std::string_view text, uint32_t fileIndex) {
  COMPONO_ASSIGN(std::vector<Token> tokens, lexWit(path, text));
  return Parser(path, std::move(tokens), fileIndex).parseFile();
}

}  // namespace compono::component::wit
