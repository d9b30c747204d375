// compono/component/wit_load.h — WIT text to the resolved model (wit.h).
//
// Loading lexes, parses and resolves a root package and its dependencies
// (WIT.md "Filesystem structure"):
//  - a directory: every DIR/*.wit is one package (the root; files may each
//    say `package ns:name@v;`, and at least one must, all alike); each entry
//    of DIR/deps/ is a dependency: deps/NAME.wit (one file) or deps/NAME/
//    (a directory of *.wit; no nested deps/). Directory entries are read in
//    name order.
//  - a file: the root package and, in `package a:b@1.0.0 { ... }` blocks,
//    its dependencies. Nested blocks work in any file, root or dependency.
// A package defined twice must have the same contents (compared with
// comparePackages).
//
// Errors are values: one line, "file:line:column: message" (code kDecode for
// lexical and syntax errors, kComponent for resolution errors: unknown names,
// duplicate definitions, cycles in `use`, `include` and package
// dependencies, bad versions and gates; kIo for unreadable files).
//
// Thread safety: the functions are reentrant; they share no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::wit {

struct SourceFile {
  std::string path;  // used in spans and error messages
  std::string text;  // UTF-8
};

struct LoadOptions {
  // A reference to a package that is neither defined nor in deps/ becomes a
  // stub package (Package::stub) whose interfaces are known by name only;
  // importing or exporting them works, `use`-ing their types or including
  // their worlds does not. Off: such a reference is an error. Printed WIT of
  // a component (`jco wit`) refers to WASI packages it does not contain.
  bool allowMissingPackages = false;
};

struct LoadedPackage {
  Model model;
  PackageId root = kNoId;  // the root package
};

// Loads a directory (with its deps/) or a single .wit file.
Result<LoadedPackage> loadWitPath(const std::string& path, const LoadOptions& options = {});

// Loads one file's text (the root package plus its nested package blocks).
Result<LoadedPackage> loadWitText(std::string_view path, std::string_view text,
                                  const LoadOptions& options = {});

// The general form: the files of the root package, and each dependency as the
// files of one package (a deps/NAME.wit is a list of one file).
Result<LoadedPackage> loadWitSources(std::vector<SourceFile> root,
                                     std::vector<std::vector<SourceFile>> deps,
                                     const LoadOptions& options = {});

}  // namespace compono::component::wit
