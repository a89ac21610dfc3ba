// The QuickFIX side of fix_codec_bench behind a plain C++ interface: no QuickFIX type
// here, so the benchmark (C++20) never includes a QuickFIX header (they do not compile
// as C++17/20). Implemented in fix_qf_codec.cpp, compiled as C++14 (bench/fix_codec.cmake).
// One thread; allocation is QuickFIX's own (that is what the benchmark counts).
#pragma once

#include <cstddef>
#include <cstdint>

struct QfCodec;

/// The order the benchmark sends (the same values for both codecs).
struct QfOrder {
  uint64_t cl_ord_id;
  uint64_t seq;
  char side;        ///< '1' buy, '2' sell
  int64_t qty;      ///< lots
  double price;     ///< QuickFIX's Price is a double
  int64_t transact_time_ns;  ///< UTC ns since the epoch
};

/// The ExecutionReport fields the engine reads.
struct QfReport {
  char cl_ord_id[32];
  char order_id[32];
  char exec_id[32];
  char exec_type;
  char ord_status;
  double cum_qty, leaves_qty, last_px, last_qty;
};

QfCodec* qf_make();
void qf_free(QfCodec* c);
/// Builds a FIX44::NewOrderSingle (header 49/56/34/52, body 11 1 55 200 54 38 40 44 59 77
/// 60) and writes its toString() into out; returns its length (0 if it does not fit).
std::size_t qf_encode_nos(QfCodec* c, const QfOrder& o, char* out, std::size_t cap);
/// Constructs FIX::Message from the bytes (no DataDictionary; BodyLength/CheckSum
/// validated) and reads 11 37 17 150 39 14 151 31 32. False on any QuickFIX exception.
bool qf_decode_er(QfCodec* c, const char* data, std::size_t len, QfReport& out);
