// ComponentInstance: calls from the host, and the host's handle table for
// resources that components implement.
#include "compono/component/instance.h"

#include "component/runtime/runtime.h"

namespace compono::component {

ComponentInstance::ComponentInstance(std::unique_ptr<internal::InstanceState> state)
    : state_(std::move(state)) {}
ComponentInstance::~ComponentInstance() = default;

const LoadedComponent& ComponentInstance::component() const { return *state_->component; }
engine::Store& ComponentInstance::store() const { return *state_->store; }
const wit::Model& ComponentInstance::model() const { return state_->env->model; }

Result<FuncInfo> ComponentInstance::func(std::string_view name) const {
  return rt::findFunc(state_->exports, name, state_->component->name());
}

std::vector<FuncInfo> ComponentInstance::funcs() const {
  std::vector<FuncInfo> out;
  for (const ExternInfo& e : state_->exports) out.insert(out.end(), e.funcs.begin(), e.funcs.end());
  return out;
}

Result<std::vector<Value>> ComponentInstance::call(std::string_view name,
                                                   std::span<const Value> args) {
  COMPONO_ASSIGN(FuncInfo f, func(name));
  return call(f, args);
}

namespace {

std::string handleText(const rt::ResourceRt* rt, uint32_t i) {
  return (rt && !rt->name.empty() ? rt->name : std::string("resource")) + "#" + std::to_string(i);
}

}  // namespace

Result<std::vector<Value>> ComponentInstance::call(const FuncInfo& info,
                                                   std::span<const Value> args) {
  internal::InstanceState& st = *state_;
  rt::FuncPtr f = rt::exportedFunc(st.root->exports->items, info);
  if (!f) {
    return Error(ErrorCode::kUsage,
                 st.component->name() + ": no exported function " + info.qualifiedName());
  }
  const rt::TypeEnv& env = *f->env;
  const std::string where = st.component->name() + ": " + info.qualifiedName();
  if (args.size() != f->sig.params.size()) {
    return Error(ErrorCode::kUsage, where + " takes " + std::to_string(f->sig.params.size()) +
                                        " argument(s) " + rt::sigText(env, f->sig) + ", got " +
                                        std::to_string(args.size()));
  }
  std::vector<Value> in(args.begin(), args.end());
  for (size_t i = 0; i < in.size(); ++i) {
    const wit::Param& p = f->sig.params[i];
    COMPONO_TRY(abi::typeCheck(env.view, p.type, in[i], where + ": argument " + p.name));
  }
  // Host handles of component-implemented resources become their reps; own
  // handles move into the callee.
  std::vector<uint32_t> moved;
  for (size_t i = 0; i < in.size(); ++i) {
    Status s = rt::mapHandles(
        env, f->sig.params[i].type, in[i],
        [&](wit::HandleKind kind, wit::TypeId resource, Value& v) -> Status {
          rt::ResourceRt* rt = env.resource(resource);
          if (!rt || rt->host) return okStatus();
          uint32_t h = v.handle;
          if (h == 0 || h >= st.hostHandles.size() || !st.hostHandles[h].live ||
              st.hostHandles[h].rt.get() != rt) {
            return Error(ErrorCode::kUsage, where + ": argument " + f->sig.params[i].name +
                                                ": " + handleText(rt, h) +
                                                " is not a live handle of this instance");
          }
          internal::HostHandle& hh = st.hostHandles[h];
          if (kind == wit::HandleKind::kOwn) {
            if (!hh.own) {
              return Error(ErrorCode::kUsage, where + ": " + handleText(rt, h) +
                                                  " is borrowed; an own handle is needed");
            }
            moved.push_back(h);
          }
          v.handle = hh.rep;
          return okStatus();
        });
    COMPONO_TRY(s);
  }
  for (uint32_t h : moved) {
    st.hostHandles[h] = internal::HostHandle();
    st.hostFree.push_back(h);
  }
  COMPONO_ASSIGN(std::vector<Value> results, rt::invoke(*f, *state_->store, in));
  // Own handles of component-implemented resources go into the host table.
  for (size_t i = 0; i < results.size() && i < f->sig.resultTypes().size(); ++i) {
    Status s = rt::mapHandles(
        env, f->sig.resultTypes()[i], results[i],
        [&](wit::HandleKind, wit::TypeId resource, Value& v) -> Status {
          wit::TypeId rid = env.model.resourceOf(resource);
          auto it = env.resources.find(rid);
          if (it == env.resources.end() || it->second->host) return okStatus();
          internal::HostHandle hh;
          hh.rt = it->second;
          hh.rep = v.handle;
          hh.own = v.kind == ValueKind::kOwn;
          hh.live = true;
          uint32_t index;
          if (!st.hostFree.empty()) {
            index = st.hostFree.back();
            st.hostFree.pop_back();
            st.hostHandles[index] = std::move(hh);
          } else {
            index = static_cast<uint32_t>(st.hostHandles.size());
            st.hostHandles.push_back(std::move(hh));
          }
          v.handle = index;
          return okStatus();
        });
    COMPONO_TRY(s);
  }
  return results;
}

Status ComponentInstance::dropHandle(const Value& handle) {
  internal::InstanceState& st = *state_;
  uint32_t h = handle.handle;
  if ((handle.kind != ValueKind::kOwn && handle.kind != ValueKind::kBorrow) || h == 0 ||
      h >= st.hostHandles.size() || !st.hostHandles[h].live) {
    return Error(ErrorCode::kUsage, st.component->name() + ": dropping handle #" +
                                        std::to_string(h) + ", which is not live");
  }
  internal::HostHandle hh = std::move(st.hostHandles[h]);
  st.hostHandles[h] = internal::HostHandle();
  st.hostFree.push_back(h);
  rt::HandleEntry e;
  e.rep = hh.rep;
  e.own = hh.own;
  return rt::dropRemoved(nullptr, hh.rt, e);
}

std::vector<std::pair<std::string, Value>> ComponentInstance::liveHandles() const {
  std::vector<std::pair<std::string, Value>> out;
  for (size_t i = 1; i < state_->hostHandles.size(); ++i) {
    const internal::HostHandle& hh = state_->hostHandles[i];
    if (!hh.live) continue;
    uint32_t index = static_cast<uint32_t>(i);
    out.emplace_back(hh.rt->name, hh.own ? Value::own(index) : Value::borrow(index));
  }
  return out;
}

}  // namespace compono::component
