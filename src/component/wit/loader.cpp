// WIT loading from the filesystem or memory (wit_load.h): finds the files of
// the root package and of each deps/ entry, parses them and resolves.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "component/wit/parser.h"
#include "component/wit/resolver.h"
#include "compono/component/wit_load.h"

namespace compono::component::wit {
namespace {

namespace fs = std::filesystem;

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kIo, path + ": read error");
  return s.str();
}

bool isWitFile(const fs::directory_entry& e) {
  std::error_code ec;
  return e.path().extension() == ".wit" && e.is_regular_file(ec);
}

// The *.wit files directly in `dir`, by name.
Result<std::vector<std::string>> witFilesIn(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (isWitFile(*it)) out.push_back(it->path().string());
  }
  if (ec) return Error(ErrorCode::kIo, dir.string() + ": cannot list: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<SourceFile>> readAll(const std::vector<std::string>& paths) {
  std::vector<SourceFile> files;
  for (const std::string& p : paths) {
    COMPONO_ASSIGN(std::string text, readText(p));
    files.push_back(SourceFile{p, std::move(text)});
  }
  return files;
}

}  // namespace

Result<LoadedPackage> loadWitSources(std::vector<SourceFile> root,
                                     std::vector<std::vector<SourceFile>> deps,
                                     const LoadOptions& options) {
  std::vector<std::string> paths;
  std::vector<ast::File> files;
  std::vector<FileGroup> groups;
  auto addGroup = [&](std::vector<SourceFile>& group) -> Status {
    FileGroup g;
    for (SourceFile& f : group) {
      auto index = static_cast<uint32_t>(paths.size());
      COMPONO_ASSIGN(ast::File parsed, parseWitFile(f.path, f.text, index));
      paths.push_back(std::move(f.path));
      files.push_back(std::move(parsed));
      g.files.push_back(index);
    }
    groups.push_back(std::move(g));
    return okStatus();
  };
  COMPONO_TRY(addGroup(root));
  for (auto& group : deps) COMPONO_TRY(addGroup(group));
  return resolveWit(std::move(paths), files, groups, options);
}

Result<LoadedPackage> loadWitText(std::string_view path, std::string_view text,
                                  const LoadOptions& options) {
  std::vector<SourceFile> root;
  root.push_back(SourceFile{std::string(path), std::string(text)});
  return loadWitSources(std::move(root), {}, options);
}

Result<LoadedPackage> loadWitPath(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return Error(ErrorCode::kIo, path + ": no such file or directory");
  }
  if (!fs::is_directory(st)) {
    COMPONO_ASSIGN(std::vector<SourceFile> root, readAll({path}));
    return loadWitSources(std::move(root), {}, options);
  }
  fs::path dir(path);
  COMPONO_ASSIGN(std::vector<std::string> rootPaths, witFilesIn(dir));
  if (rootPaths.empty()) return Error(ErrorCode::kIo, path + ": no .wit files in this directory");
  COMPONO_ASSIGN(std::vector<SourceFile> root, readAll(rootPaths));

  // deps/NAME.wit and deps/NAME/*.wit, by name; no recursive deps/.
  std::vector<std::vector<SourceFile>> deps;
  fs::path depsDir = dir / "deps";
  if (fs::is_directory(depsDir, ec)) {
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(depsDir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(*it);
    }
    if (ec) return Error(ErrorCode::kIo, depsDir.string() + ": cannot list: " + ec.message());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename() < b.path().filename();
    });
    for (const fs::directory_entry& e : entries) {
      std::error_code dec;
      if (e.is_directory(dec)) {
        COMPONO_ASSIGN(std::vector<std::string> files, witFilesIn(e.path()));
        if (files.empty()) continue;
        COMPONO_ASSIGN(std::vector<SourceFile> group, readAll(files));
        deps.push_back(std::move(group));
      } else if (isWitFile(e)) {
        COMPONO_ASSIGN(std::vector<SourceFile> group, readAll({e.path().string()}));
        deps.push_back(std::move(group));
      }
    }
  }
  return loadWitSources(std::move(root), std::move(deps), options);
}

}  // namespace compono::component::wit
