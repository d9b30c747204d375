// wasi:keyvalue/{store,atomics,batch}@0.2.0-draft on a KeyValueStore, for one
// component and the buckets linked to it.
#include <algorithm>

#include "compono/providers/keyvalue.h"
#include "providers/wit_sources.h"

namespace compono::providers {

using component::HostCall;
using component::HostCallback;
using component::Value;
namespace wit = component::wit;

namespace {

// A bucket handle's representation: the bucket's index in the store plus
// one. It carries no per-handle state, so dropping a handle frees nothing
// and instances on several threads can hold handles at once.
uint32_t repOf(uint32_t bucket) { return bucket + 1; }

// wasi:keyvalue/store.error cases.
constexpr uint32_t kAccessDenied = 1;
constexpr uint32_t kOther = 2;

Value storeError(const Error& e) {
  return Value::err({Value::variant(kOther, {Value::string(e.message)})});
}

Value bytesValue(const Bytes& b) {
  std::vector<Value> items;
  items.reserve(b.size());
  for (uint8_t x : b) items.push_back(Value::u8(x));
  return Value::list(std::move(items));
}

Bytes bytesOf(const Value& list) {
  Bytes b;
  b.reserve(list.items.size());
  for (const Value& v : list.items) b.push_back(static_cast<uint8_t>(v.u));
  return b;
}

std::vector<std::string> stringsOf(const Value& list) {
  std::vector<std::string> out;
  out.reserve(list.items.size());
  for (const Value& v : list.items) out.push_back(v.str);
  return out;
}

struct Binding {
  std::shared_ptr<KeyValueStore> store;
  std::vector<uint32_t> linked;  // bucket indices this component may open
  KeyValueLinkOptions options;

  // The bucket behind a handle this component holds; an error (trap) for a
  // representation Compono never handed to it.
  Result<uint32_t> bucketOf(const Value& handle) const {
    uint32_t rep = handle.handle;
    for (uint32_t b : linked) {
      if (repOf(b) == rep) return b;
    }
    return Error(ErrorCode::kInternal,
                 "wasi:keyvalue: bucket handle with unknown representation " + std::to_string(rep));
  }
};

}  // namespace

Status addKeyValueToLinker(component::Linker& linker, std::shared_ptr<KeyValueStore> store,
                           const std::vector<std::string>& linked, KeyValueLinkOptions options) {
  if (!store) return Error(ErrorCode::kUsage, "addKeyValueToLinker: no store");
  auto bind = std::make_shared<Binding>();
  for (const std::string& name : linked) {
    std::optional<uint32_t> b = store->find(name);
    if (!b) return Error(ErrorCode::kUsage, "bucket \"" + name + "\" is not defined in the store");
    if (std::find(bind->linked.begin(), bind->linked.end(), *b) == bind->linked.end()) {
      bind->linked.push_back(*b);
    }
  }
  bind->store = std::move(store);
  bind->options = std::move(options);

  COMPONO_ASSIGN(std::shared_ptr<const wit::Model> model, internal::embeddedPackage("keyvalue"));
  auto define = [&](std::string_view iface, std::string_view witIface, std::string_view func,
                    HostCallback cb) -> Status {
    const wit::Function* f = internal::findFunc(*model, witIface, func);
    if (!f) {
      return Error(ErrorCode::kInternal,
                   "wit/keyvalue: no function " + std::string(witIface) + "." + std::string(func));
    }
    return linker.defineFunc(iface, model, *f, std::move(cb));
  };
  using Args = std::span<const Value>;
  using Results = std::vector<Value>;

  // ---- store ----
  linker.defineResource(kKeyValueStoreInterface, "bucket", nullptr);
  COMPONO_TRY(define(kKeyValueStoreInterface, "store", "open",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       const std::string& name = args[0].str;
                       std::optional<uint32_t> b = bind->store->find(name);
                       bool ok = b && std::find(bind->linked.begin(), bind->linked.end(), *b) !=
                                          bind->linked.end();
                       if (!ok) {
                         if (bind->options.onDenied) {
                           bind->options.onDenied("open of bucket \"" + name +
                                                  "\" denied: it is not linked to this component");
                         }
                         out.push_back(Value::err({Value::variant(kAccessDenied)}));
                         return okStatus();
                       }
                       out.push_back(Value::ok({Value::own(repOf(*b))}));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueStoreInterface, "store", "[method]bucket.get",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       auto r = bind->store->get(b, args[1].str);
                       if (!r.ok()) return out.push_back(storeError(r.error())), okStatus();
                       out.push_back(
                           Value::ok({*r ? Value::some(bytesValue(**r)) : Value::none()}));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueStoreInterface, "store", "[method]bucket.set",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       Status s = bind->store->set(b, args[1].str, bytesOf(args[2]));
                       out.push_back(s.ok() ? Value::ok() : storeError(s.error()));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueStoreInterface, "store", "[method]bucket.delete",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       Status s = bind->store->remove(b, args[1].str);
                       out.push_back(s.ok() ? Value::ok() : storeError(s.error()));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueStoreInterface, "store", "[method]bucket.exists",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       auto r = bind->store->exists(b, args[1].str);
                       out.push_back(r.ok() ? Value::ok({Value::boolean(*r)})
                                            : storeError(r.error()));
                       return okStatus();
                     }));
  COMPONO_TRY(
      define(kKeyValueStoreInterface, "store", "[method]bucket.list-keys",
             [bind](HostCall&, Args args, Results& out) -> Status {
               COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
               uint64_t cursor = args[1].discriminant ? args[1].items.at(0).u : 0;
               auto r = bind->store->listKeys(b, cursor);
               if (!r.ok()) return out.push_back(storeError(r.error())), okStatus();
               std::vector<Value> keys;
               for (std::string& k : r->keys) keys.push_back(Value::string(std::move(k)));
               Value next = r->next ? Value::some(Value::u64(*r->next)) : Value::none();
               out.push_back(Value::ok({Value::record({Value::list(std::move(keys)), next})}));
               return okStatus();
             }));

  // ---- atomics ----
  COMPONO_TRY(define(kKeyValueAtomicsInterface, "atomics", "increment",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       auto r = bind->store->increment(b, args[1].str, args[2].u);
                       out.push_back(r.ok() ? Value::ok({Value::u64(*r)}) : storeError(r.error()));
                       return okStatus();
                     }));

  // ---- batch ----
  COMPONO_TRY(define(kKeyValueBatchInterface, "batch", "get-many",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       std::vector<std::string> keys = stringsOf(args[1]);
                       auto r = bind->store->getMany(b, keys);
                       if (!r.ok()) return out.push_back(storeError(r.error())), okStatus();
                       std::vector<Value> items;
                       for (size_t i = 0; i < keys.size(); ++i) {
                         const std::optional<Bytes>& v = (*r)[i];
                         items.push_back(
                             v ? Value::some(Value::tuple({Value::string(keys[i]), bytesValue(*v)}))
                               : Value::none());
                       }
                       out.push_back(Value::ok({Value::list(std::move(items))}));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueBatchInterface, "batch", "set-many",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       std::vector<std::pair<std::string, Bytes>> pairs;
                       for (const Value& t : args[1].items) {
                         pairs.emplace_back(t.items.at(0).str, bytesOf(t.items.at(1)));
                       }
                       Status s = bind->store->setMany(b, pairs);
                       out.push_back(s.ok() ? Value::ok() : storeError(s.error()));
                       return okStatus();
                     }));
  COMPONO_TRY(define(kKeyValueBatchInterface, "batch", "delete-many",
                     [bind](HostCall&, Args args, Results& out) -> Status {
                       COMPONO_ASSIGN(uint32_t b, bind->bucketOf(args[0]));
                       Status s = bind->store->removeMany(b, stringsOf(args[1]));
                       out.push_back(s.ok() ? Value::ok() : storeError(s.error()));
                       return okStatus();
                     }));
  return okStatus();
}

}  // namespace compono::providers
