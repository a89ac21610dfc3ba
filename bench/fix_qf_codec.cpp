// QuickFIX peer of fix_codec_bench (fix_qf_codec.hpp). C++14: QuickFIX 1.15's headers
// use dynamic exception specifications.
#include "fix_qf_codec.hpp"

#include <cstring>
#include <ctime>
#include <string>

#include <quickfix/Message.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <quickfix/fix44/NewOrderSingle.h>

struct QfCodec {
  std::string out;  // reused by toString(std::string&)
};

QfCodec* qf_make() { return new QfCodec(); }
void qf_free(QfCodec* c) { delete c; }

namespace {
FIX::UtcTimeStamp stamp(int64_t ns) {
  const time_t sec = static_cast<time_t>(ns / 1000000000);
  return FIX::UtcTimeStamp(sec, static_cast<int>(ns % 1000000000), 9);
}
void copy(char (&dst)[32], const std::string& s) {
  const std::size_t n = s.size() < sizeof dst - 1 ? s.size() : sizeof dst - 1;
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}
}  // namespace

std::size_t qf_encode_nos(QfCodec* c, const QfOrder& o, char* out, std::size_t cap) {
  FIX44::NewOrderSingle m(FIX::ClOrdID(std::to_string(o.cl_ord_id)), FIX::Side(o.side),
                          FIX::TransactTime(stamp(o.transact_time_ns), 9), FIX::OrdType(FIX::OrdType_LIMIT));
  FIX::Header& h = m.getHeader();
  h.setField(FIX::SenderCompID("TICKPIPE"));
  h.setField(FIX::TargetCompID("TPVENUE"));
  h.setField(FIX::MsgSeqNum(static_cast<int>(o.seq)));
  h.setField(FIX::SendingTime(stamp(o.transact_time_ns), 3));
  m.set(FIX::Account("ACC1"));
  m.set(FIX::Symbol("MTX"));
  m.set(FIX::MaturityMonthYear("202108"));
  m.set(FIX::OrderQty(static_cast<double>(o.qty)));
  m.set(FIX::Price(o.price));
  m.set(FIX::TimeInForce(FIX::TimeInForce_IMMEDIATE_OR_CANCEL));
  m.set(FIX::PositionEffect(FIX::PositionEffect_OPEN));
  m.toString(c->out);
  if (c->out.size() > cap) return 0;
  std::memcpy(out, c->out.data(), c->out.size());
  return c->out.size();
}

bool qf_decode_er(QfCodec*, const char* data, std::size_t len, QfReport& r) {
  try {
    const FIX::Message m(std::string(data, len), true);
    FIX::ClOrdID cl;
    FIX::OrderID oid;
    FIX::ExecID eid;
    FIX::ExecType et;
    FIX::OrdStatus os;
    FIX::CumQty cum;
    FIX::LeavesQty leaves;
    FIX::LastPx px;
    FIX::LastQty lq;
    m.getField(cl);
    m.getField(oid);
    m.getField(eid);
    m.getField(et);
    m.getField(os);
    m.getField(cum);
    m.getField(leaves);
    m.getField(px);
    m.getField(lq);
    copy(r.cl_ord_id, cl.getValue());
    copy(r.order_id, oid.getValue());
    copy(r.exec_id, eid.getValue());
    r.exec_type = et.getValue();
    r.ord_status = os.getValue();
    r.cum_qty = cum.getValue();
    r.leaves_qty = leaves.getValue();
    r.last_px = px.getValue();
    r.last_qty = lq.getValue();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}
