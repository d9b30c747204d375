#include "engine/meter.h"

#include <memory>

#include "engine/wabt_features.h"
#include "wabt/binary-reader-ir.h"
#include "wabt/binary-reader.h"
#include "wabt/binary-writer.h"
#include "wabt/cast.h"
#include "wabt/ir.h"
#include "wabt/stream.h"

namespace compono::engine::internal {

std::string MeterConfig::key() const {
  std::string k;
  k += fuel ? "f1" : "f0";
  k += depth ? "d1" : "d0";
  k += memoryGrow ? "m1" : "m0";
  k += tableGrow ? "t1" : "t0";
  return k;
}

MeterConfig meterConfigFor(const StoreLimits& limits) {
  MeterConfig m;
  m.fuel = limits.needsFuelMetering();
  m.depth = limits.maxCallDepth.has_value();
  m.memoryGrow = limits.maxMemoryBytes.has_value();
  m.tableGrow = limits.maxTableElements.has_value();
  return m;
}

namespace {

using wabt::cast;
using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Location;
using wabt::Opcode;
using wabt::Type;
using wabt::Var;

class Metering {
 public:
  Metering(wabt::Module& m, const MeterConfig& cfg) : m_(m), cfg_(cfg) {}

  MeteredModule run() {
    MeteredModule out;
    origFuncImports_ = m_.num_func_imports;
    origGlobalImports_ = m_.num_global_imports;
    out.originalFuncImports = origFuncImports_;

    // Add the imports first (they take indices right after the originals).
    uint32_t importBase = static_cast<uint32_t>(m_.imports.size());
    uint32_t next = importBase;
    if (cfg_.fuel) {
      fuelGlobal_ = addGlobalImport("fuel", Type::I64);
      out.importFuel = static_cast<int>(next++);
      outOfFuelFunc_ = addFuncImport("out_of_fuel", {}, {});
      out.importOutOfFuel = static_cast<int>(next++);
    }
    if (cfg_.depth) {
      depthGlobal_ = addGlobalImport("depth", Type::I32);
      out.importDepth = static_cast<int>(next++);
      stackFunc_ = addFuncImport("stack_exhausted", {}, {});
      out.importStackExhausted = static_cast<int>(next++);
    }
    if (cfg_.memoryGrow) {
      memGrowFunc_ = addFuncImport("memory_grow", {Type::I64, Type::I64, Type::I32}, {});
      out.importMemoryGrow = static_cast<int>(next++);
    }
    if (cfg_.tableGrow) {
      tableGrowFunc_ = addFuncImport("table_grow", {Type::I32, Type::I32, Type::I32}, {});
      out.importTableGrow = static_cast<int>(next++);
    }
    addedFuncs_ = m_.num_func_imports - origFuncImports_;
    addedGlobals_ = m_.num_global_imports - origGlobalImports_;
    out.addedFuncImports = addedFuncs_;

    renumberModule();

    for (size_t i = m_.num_func_imports; i < m_.funcs.size(); ++i) instrumentFunc(*m_.funcs[i]);
    return out;
  }

 private:
  // ---- imports -------------------------------------------------------------

  uint32_t findOrAddFuncType(const wabt::TypeVector& params, const wabt::TypeVector& results) {
    for (size_t i = 0; i < m_.types.size(); ++i) {
      if (auto* ft = wabt::dyn_cast<wabt::FuncType>(m_.types[i])) {
        if (ft->sig.param_types == params && ft->sig.result_types == results) {
          return static_cast<uint32_t>(i);
        }
      }
    }
    auto field = std::make_unique<wabt::TypeModuleField>();
    auto ft = std::make_unique<wabt::FuncType>();
    ft->sig.param_types = params;
    ft->sig.result_types = results;
    m_.types.push_back(ft.get());
    field->type = std::move(ft);
    m_.fields.push_back(std::move(field));
    return static_cast<uint32_t>(m_.types.size() - 1);
  }

  uint32_t addFuncImport(const char* name, wabt::TypeVector params, wabt::TypeVector results) {
    uint32_t typeIdx = findOrAddFuncType(params, results);
    auto imp = std::make_unique<wabt::FuncImport>();
    imp->module_name = kMeterModule;
    imp->field_name = name;
    imp->func.decl.has_func_type = true;
    imp->func.decl.type_var = Var(typeIdx, Location());
    imp->func.decl.sig.param_types = std::move(params);
    imp->func.decl.sig.result_types = std::move(results);
    wabt::Func* f = &imp->func;
    m_.imports.push_back(imp.get());
    m_.funcs.insert(m_.funcs.begin() + m_.num_func_imports, f);
    uint32_t idx = m_.num_func_imports++;
    m_.fields.push_back(std::make_unique<wabt::ImportModuleField>(std::move(imp)));
    return idx;
  }

  uint32_t addGlobalImport(const char* name, Type type) {
    auto imp = std::make_unique<wabt::GlobalImport>();
    imp->module_name = kMeterModule;
    imp->field_name = name;
    imp->global.type = type;
    imp->global.mutable_ = true;
    wabt::Global* g = &imp->global;
    m_.imports.push_back(imp.get());
    m_.globals.insert(m_.globals.begin() + m_.num_global_imports, g);
    uint32_t idx = m_.num_global_imports++;
    m_.fields.push_back(std::make_unique<wabt::ImportModuleField>(std::move(imp)));
    return idx;
  }

  // ---- renumbering -----------------------------------------------------------

  void shiftFunc(Var& v) {
    if (v.is_index() && v.index() >= origFuncImports_ && v.index() != wabt::kInvalidIndex) {
      v.set_index(v.index() + addedFuncs_);
    }
  }
  void shiftGlobal(Var& v) {
    if (v.is_index() && v.index() >= origGlobalImports_ && v.index() != wabt::kInvalidIndex) {
      v.set_index(v.index() + addedGlobals_);
    }
  }

  void renumberExprs(ExprList& exprs) {
    for (Expr& e : exprs) {
      switch (e.type()) {
        case ExprType::Call: shiftFunc(cast<wabt::CallExpr>(&e)->var); break;
        case ExprType::ReturnCall: shiftFunc(cast<wabt::ReturnCallExpr>(&e)->var); break;
        case ExprType::RefFunc: shiftFunc(cast<wabt::RefFuncExpr>(&e)->var); break;
        case ExprType::GlobalGet: shiftGlobal(cast<wabt::GlobalGetExpr>(&e)->var); break;
        case ExprType::GlobalSet: shiftGlobal(cast<wabt::GlobalSetExpr>(&e)->var); break;
        case ExprType::Block: renumberExprs(cast<wabt::BlockExpr>(&e)->block.exprs); break;
        case ExprType::Loop: renumberExprs(cast<wabt::LoopExpr>(&e)->block.exprs); break;
        case ExprType::If: {
          auto* ife = cast<wabt::IfExpr>(&e);
          renumberExprs(ife->true_.exprs);
          renumberExprs(ife->false_);
          break;
        }
        case ExprType::Try: {
          auto* t = cast<wabt::TryExpr>(&e);
          renumberExprs(t->block.exprs);
          for (auto& c : t->catches) renumberExprs(c.exprs);
          break;
        }
        default: break;
      }
    }
  }

  void renumberModule() {
    if (addedFuncs_ == 0 && addedGlobals_ == 0) return;
    for (size_t i = m_.num_func_imports; i < m_.funcs.size(); ++i) renumberExprs(m_.funcs[i]->exprs);
    for (size_t i = m_.num_global_imports; i < m_.globals.size(); ++i) {
      renumberExprs(m_.globals[i]->init_expr);
    }
    for (wabt::ElemSegment* seg : m_.elem_segments) {
      renumberExprs(seg->offset);
      for (ExprList& el : seg->elem_exprs) renumberExprs(el);
    }
    for (wabt::DataSegment* seg : m_.data_segments) renumberExprs(seg->offset);
    for (wabt::Export* ex : m_.exports) {
      if (ex->kind == wabt::ExternalKind::Func) shiftFunc(ex->var);
      if (ex->kind == wabt::ExternalKind::Global) shiftGlobal(ex->var);
    }
    for (Var* start : m_.starts) shiftFunc(*start);
  }

  // ---- instrumentation -------------------------------------------------------

  template <typename T, typename... Args>
  static std::unique_ptr<Expr> make(Args&&... args) {
    return std::make_unique<T>(std::forward<Args>(args)...);
  }
  static Var idx(uint32_t i) { return Var(i, Location()); }

  // `global.get fuel; i64.const cost; i64.sub; global.set fuel;
  //  global.get fuel; i64.const 0; i64.lt_s; if call out_of_fuel end`
  ExprList fuelCharge(uint64_t cost) {
    ExprList l;
    l.push_back(make<wabt::GlobalGetExpr>(idx(fuelGlobal_)));
    l.push_back(make<wabt::ConstExpr>(wabt::Const::I64(cost)));
    l.push_back(make<wabt::BinaryExpr>(Opcode::I64Sub));
    l.push_back(make<wabt::GlobalSetExpr>(idx(fuelGlobal_)));
    l.push_back(make<wabt::GlobalGetExpr>(idx(fuelGlobal_)));
    l.push_back(make<wabt::ConstExpr>(wabt::Const::I64(0)));
    l.push_back(make<wabt::CompareExpr>(Opcode::I64LtS));
    auto ife = std::make_unique<wabt::IfExpr>();
    ife->true_.exprs.push_back(make<wabt::CallExpr>(idx(outOfFuelFunc_)));
    l.push_back(std::move(ife));
    return l;
  }

  ExprList depthEnter() {
    ExprList l;
    l.push_back(make<wabt::GlobalGetExpr>(idx(depthGlobal_)));
    l.push_back(make<wabt::UnaryExpr>(Opcode::I32Eqz));
    auto ife = std::make_unique<wabt::IfExpr>();
    ife->true_.exprs.push_back(make<wabt::CallExpr>(idx(stackFunc_)));
    l.push_back(std::move(ife));
    l.push_back(make<wabt::GlobalGetExpr>(idx(depthGlobal_)));
    l.push_back(make<wabt::ConstExpr>(wabt::Const::I32(1)));
    l.push_back(make<wabt::BinaryExpr>(Opcode::I32Sub));
    l.push_back(make<wabt::GlobalSetExpr>(idx(depthGlobal_)));
    return l;
  }

  ExprList depthLeave() {
    ExprList l;
    l.push_back(make<wabt::GlobalGetExpr>(idx(depthGlobal_)));
    l.push_back(make<wabt::ConstExpr>(wabt::Const::I32(1)));
    l.push_back(make<wabt::BinaryExpr>(Opcode::I32Add));
    l.push_back(make<wabt::GlobalSetExpr>(idx(depthGlobal_)));
    return l;
  }

  static void insertBefore(ExprList& list, ExprList::iterator pos, ExprList&& add) {
    while (!add.empty()) list.insert(pos, add.extract(add.begin()));
  }

  static bool isStructured(ExprType t) {
    return t == ExprType::Block || t == ExprType::Loop || t == ExprType::If || t == ExprType::Try;
  }

  // Instruments one expression list. `nesting` counts the structured
  // instructions enclosing it inside the function body (0 = top level).
  void instrumentList(ExprList& list, uint32_t nesting) {
    // First recurse and rewrite individual instructions.
    for (auto it = list.begin(); it != list.end();) {
      Expr& e = *it;
      switch (e.type()) {
        case ExprType::Block: instrumentList(cast<wabt::BlockExpr>(&e)->block.exprs, nesting + 1); break;
        case ExprType::Loop: instrumentList(cast<wabt::LoopExpr>(&e)->block.exprs, nesting + 1); break;
        case ExprType::If: {
          auto* ife = cast<wabt::IfExpr>(&e);
          instrumentList(ife->true_.exprs, nesting + 1);
          instrumentList(ife->false_, nesting + 1);
          break;
        }
        case ExprType::Try: {
          auto* t = cast<wabt::TryExpr>(&e);
          instrumentList(t->block.exprs, nesting + 1);
          for (auto& c : t->catches) instrumentList(c.exprs, nesting + 1);
          break;
        }
        case ExprType::Return:
          if (cfg_.depth) {
            // Branch to the wrapper block, whose epilogue restores the depth.
            auto br = make<wabt::BrExpr>(idx(nesting));
            auto old = it++;
            list.insert(old, std::move(br));
            list.erase(old);
            continue;
          }
          break;
        case ExprType::ReturnCall:
        case ExprType::ReturnCallIndirect:
          if (cfg_.depth) insertBefore(list, it, depthLeave());
          break;
        case ExprType::MemoryGrow:
          if (cfg_.memoryGrow) {
            auto* g = cast<wabt::MemoryGrowExpr>(&e);
            uint32_t memIdx = g->memidx.is_index() ? g->memidx.index() : 0;
            bool is64 = memIdx < m_.memories.size() && m_.memories[memIdx]->page_limits.is_64;
            uint32_t tmp = is64 ? scratchI64() : scratchI32();
            ExprList l;
            l.push_back(make<wabt::LocalSetExpr>(idx(tmp)));
            l.push_back(make<wabt::MemorySizeExpr>(idx(memIdx)));
            if (!is64) l.push_back(make<wabt::ConvertExpr>(Opcode::I64ExtendI32U));
            l.push_back(make<wabt::LocalGetExpr>(idx(tmp)));
            if (!is64) l.push_back(make<wabt::ConvertExpr>(Opcode::I64ExtendI32U));
            l.push_back(make<wabt::ConstExpr>(wabt::Const::I32(memIdx)));
            l.push_back(make<wabt::CallExpr>(idx(memGrowFunc_)));
            l.push_back(make<wabt::LocalGetExpr>(idx(tmp)));
            insertBefore(list, it, std::move(l));
          }
          break;
        case ExprType::TableGrow:
          if (cfg_.tableGrow) {
            auto* g = cast<wabt::TableGrowExpr>(&e);
            uint32_t tableIdx = g->var.is_index() ? g->var.index() : 0;
            uint32_t tmp = scratchI32();
            ExprList l;
            l.push_back(make<wabt::LocalSetExpr>(idx(tmp)));
            l.push_back(make<wabt::TableSizeExpr>(idx(tableIdx)));
            l.push_back(make<wabt::LocalGetExpr>(idx(tmp)));
            l.push_back(make<wabt::ConstExpr>(wabt::Const::I32(tableIdx)));
            l.push_back(make<wabt::CallExpr>(idx(tableGrowFunc_)));
            l.push_back(make<wabt::LocalGetExpr>(idx(tmp)));
            insertBefore(list, it, std::move(l));
          }
          break;
        default: break;
      }
      ++it;
    }
    if (!cfg_.fuel) return;
    // Then charge each straight-line segment at its start. A segment runs up
    // to and including the next structured instruction; the code after it is
    // a new segment (reached by fallthrough or by a branch to its end).
    auto segStart = list.begin();
    uint64_t cost = 0;
    for (auto it = list.begin(); it != list.end(); ++it) {
      ++cost;
      if (isStructured(it->type())) {
        insertBefore(list, segStart, fuelCharge(cost));
        cost = 0;
        segStart = std::next(it);
      }
    }
    if (cost > 0) insertBefore(list, segStart, fuelCharge(cost));
  }

  uint32_t scratchI32() {
    if (scratchI32_ == UINT32_MAX) {
      scratchI32_ = func_->GetNumParamsAndLocals();
      func_->local_types.AppendDecl(Type::I32, 1);
    }
    return scratchI32_;
  }
  uint32_t scratchI64() {
    if (scratchI64_ == UINT32_MAX) {
      scratchI64_ = func_->GetNumParamsAndLocals();
      func_->local_types.AppendDecl(Type::I64, 1);
    }
    return scratchI64_;
  }

  void instrumentFunc(wabt::Func& f) {
    func_ = &f;
    scratchI32_ = scratchI64_ = UINT32_MAX;
    if (cfg_.depth) {
      // body -> block (result <results>) body' end ; depth epilogue
      auto block = std::make_unique<wabt::BlockExpr>();
      const wabt::TypeVector& results = f.decl.sig.result_types;
      block->block.decl.sig.result_types = results;
      if (results.size() > 1) {
        block->block.decl.has_func_type = true;
        block->block.decl.type_var = idx(findOrAddFuncType({}, results));
      }
      block->block.exprs = std::move(f.exprs);
      f.exprs = ExprList();
      // Lists directly inside the wrapper have nesting 0, so a `return` at
      // nesting n becomes `br n`, which targets the wrapper.
      instrumentList(block->block.exprs, 0);
      ExprList body = depthEnter();
      body.push_back(std::move(block));
      ExprList leave = depthLeave();
      while (!leave.empty()) body.push_back(leave.extract(leave.begin()));
      // The wrapper is ours, not the guest's: fuel counts only the
      // instructions of the original body (charged inside the block).
      f.exprs = std::move(body);
    } else {
      instrumentList(f.exprs, 0);
    }
  }

  wabt::Module& m_;
  MeterConfig cfg_;
  uint32_t origFuncImports_ = 0, origGlobalImports_ = 0;
  uint32_t addedFuncs_ = 0, addedGlobals_ = 0;
  uint32_t fuelGlobal_ = 0, depthGlobal_ = 0;
  uint32_t outOfFuelFunc_ = 0, stackFunc_ = 0, memGrowFunc_ = 0, tableGrowFunc_ = 0;
  wabt::Func* func_ = nullptr;
  uint32_t scratchI32_ = UINT32_MAX, scratchI64_ = UINT32_MAX;
};

}  // namespace

Result<MeteredModule> meterModule(std::span<const uint8_t> bytes, const MeterConfig& cfg,
                                  const std::string& name) {
  wabt::Module module;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(wabtFeatures(), nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr(name.c_str(), bytes.data(), bytes.size(), options, &errors,
                                      &module))) {
    std::string msg = errors.empty() ? "unknown error" : errors.front().message;
    return Error(ErrorCode::kInternal, name + ": metering pass could not re-read the module: " + msg);
  }
  Metering pass(module, cfg);
  MeteredModule out = pass.run();
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions wopts(wabtFeatures(), /*canonicalize_lebs=*/true, /*relocatable=*/false,
                                 /*write_debug_names=*/false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, &module, wopts))) {
    return Error(ErrorCode::kInternal, name + ": metering pass could not write the module");
  }
  out.bytes = std::move(stream.output_buffer().data);
  return out;
}

}  // namespace compono::engine::internal
