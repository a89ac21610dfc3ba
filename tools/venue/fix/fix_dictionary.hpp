// QuickFIX island (C++14): the FIX 4.4 data dictionary of docs/FIX.md, written out in
// code (Debian's libquickfix-dev ships no FIX44.xml). It defines exactly the messages and
// fields of the profile, with the repeating groups 267 / 146 (V), 268 (W, X) and 702
// (AP) so that QuickFIX parses them; user-defined tags (>= 5000, e.g. 5001) are accepted
// (ValidateUserDefinedFields=N) and unknown fields of known messages pass
// (AllowUnknownMsgFields=Y). A message type not in it is answered with Reject(3).
// Every field a group entry may carry must be listed in its group (a field outside it
// ends the group).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace tp {
namespace venue {

inline const char* fix44_dictionary_xml() {
  return
      "<fix major=\"4\" minor=\"4\" servicepack=\"0\" type=\"FIX\"><header><field name=\"BeginString\" required=\"Y\"/>"
      "<field name=\"BodyLength\" required=\"Y\"/><field name=\"MsgType\" required=\"Y\"/><field name=\"SenderCompID"
      "\" required=\"Y\"/><field name=\"TargetCompID\" required=\"Y\"/><field name=\"MsgSeqNum\" required=\"Y\"/><fiel"
      "d name=\"PossDupFlag\" required=\"N\"/><field name=\"PossResend\" required=\"N\"/><field name=\"SendingTime\" "
      "required=\"Y\"/><field name=\"OrigSendingTime\" required=\"N\"/></header><trailer><field name=\"CheckSum\" r"
      "equired=\"Y\"/></trailer><messages><message name=\"Heartbeat\" msgtype=\"0\" msgcat=\"admin\"><field name=\"T"
      "estReqID\" required=\"N\"/></message><message name=\"TestRequest\" msgtype=\"1\" msgcat=\"admin\"><field name"
      "=\"TestReqID\" required=\"Y\"/></message><message name=\"ResendRequest\" msgtype=\"2\" msgcat=\"admin\"><field"
      " name=\"BeginSeqNo\" required=\"Y\"/><field name=\"EndSeqNo\" required=\"Y\"/></message><message name=\"Rejec"
      "t\" msgtype=\"3\" msgcat=\"admin\"><field name=\"RefSeqNum\" required=\"N\"/><field name=\"RefTagID\" required="
      "\"N\"/><field name=\"RefMsgType\" required=\"N\"/><field name=\"SessionRejectReason\" required=\"N\"/><field n"
      "ame=\"Text\" required=\"N\"/></message><message name=\"SequenceReset\" msgtype=\"4\" msgcat=\"admin\"><field n"
      "ame=\"GapFillFlag\" required=\"N\"/><field name=\"NewSeqNo\" required=\"Y\"/></message><message name=\"Logout"
      "\" msgtype=\"5\" msgcat=\"admin\"><field name=\"Text\" required=\"N\"/></message><message name=\"Logon\" msgtyp"
      "e=\"A\" msgcat=\"admin\"><field name=\"EncryptMethod\" required=\"Y\"/><field name=\"HeartBtInt\" required=\"Y\""
      "/><field name=\"ResetSeqNumFlag\" required=\"N\"/><field name=\"NextExpectedMsgSeqNum\" required=\"N\"/></me"
      "ssage><message name=\"BusinessMessageReject\" msgtype=\"j\" msgcat=\"app\"><field name=\"RefSeqNum\" require"
      "d=\"N\"/><field name=\"RefMsgType\" required=\"N\"/><field name=\"BusinessRejectRefID\" required=\"N\"/><field"
      " name=\"BusinessRejectReason\" required=\"N\"/><field name=\"Text\" required=\"N\"/></message><message name="
      "\"NewOrderSingle\" msgtype=\"D\" msgcat=\"app\"><field name=\"ClOrdID\" required=\"N\"/><field name=\"Account\" "
      "required=\"N\"/><field name=\"Symbol\" required=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><fiel"
      "d name=\"Side\" required=\"N\"/><field name=\"OrderQty\" required=\"N\"/><field name=\"OrdType\" required=\"N\"/"
      "><field name=\"Price\" required=\"N\"/><field name=\"TimeInForce\" required=\"N\"/><field name=\"PositionEffe"
      "ct\" required=\"N\"/><field name=\"TransactTime\" required=\"N\"/></message><message name=\"OrderCancelReque"
      "st\" msgtype=\"F\" msgcat=\"app\"><field name=\"ClOrdID\" required=\"N\"/><field name=\"OrigClOrdID\" required="
      "\"N\"/><field name=\"OrderID\" required=\"N\"/><field name=\"Symbol\" required=\"N\"/><field name=\"MaturityMon"
      "thYear\" required=\"N\"/><field name=\"Side\" required=\"N\"/><field name=\"OrderQty\" required=\"N\"/><field n"
      "ame=\"TransactTime\" required=\"N\"/></message><message name=\"OrderStatusRequest\" msgtype=\"H\" msgcat=\"ap"
      "p\"><field name=\"ClOrdID\" required=\"N\"/><field name=\"OrderID\" required=\"N\"/><field name=\"Symbol\" requ"
      "ired=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><field name=\"Side\" required=\"N\"/></message><"
      "message name=\"OrderMassStatusRequest\" msgtype=\"AF\" msgcat=\"app\"><field name=\"MassStatusReqID\" requir"
      "ed=\"N\"/><field name=\"MassStatusReqType\" required=\"N\"/></message><message name=\"RequestForPositions\" "
      "msgtype=\"AN\" msgcat=\"app\"><field name=\"PosReqID\" required=\"N\"/><field name=\"PosReqType\" required=\"N\""
      "/><field name=\"ClearingBusinessDate\" required=\"N\"/><field name=\"TransactTime\" required=\"N\"/><field n"
      "ame=\"Symbol\" required=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><field name=\"Account\" requi"
      "red=\"N\"/></message><message name=\"ExecutionReport\" msgtype=\"8\" msgcat=\"app\"><field name=\"OrderID\" re"
      "quired=\"N\"/><field name=\"ClOrdID\" required=\"N\"/><field name=\"OrigClOrdID\" required=\"N\"/><field name="
      "\"ExecID\" required=\"N\"/><field name=\"ExecType\" required=\"N\"/><field name=\"OrdStatus\" required=\"N\"/><f"
      "ield name=\"Symbol\" required=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><field name=\"Side\" re"
      "quired=\"N\"/><field name=\"OrderQty\" required=\"N\"/><field name=\"Price\" required=\"N\"/><field name=\"Time"
      "InForce\" required=\"N\"/><field name=\"PositionEffect\" required=\"N\"/><field name=\"CumQty\" required=\"N\"/"
      "><field name=\"LeavesQty\" required=\"N\"/><field name=\"AvgPx\" required=\"N\"/><field name=\"LastPx\" requir"
      "ed=\"N\"/><field name=\"LastQty\" required=\"N\"/><field name=\"OrdRejReason\" required=\"N\"/><field name=\"Te"
      "xt\" required=\"N\"/><field name=\"TransactTime\" required=\"N\"/><field name=\"MassStatusReqID\" required=\"N"
      "\"/><field name=\"TotNumReports\" required=\"N\"/><field name=\"LastRptRequested\" required=\"N\"/></message>"
      "<message name=\"OrderCancelReject\" msgtype=\"9\" msgcat=\"app\"><field name=\"OrderID\" required=\"N\"/><fiel"
      "d name=\"ClOrdID\" required=\"N\"/><field name=\"OrigClOrdID\" required=\"N\"/><field name=\"OrdStatus\" requi"
      "red=\"N\"/><field name=\"CxlRejResponseTo\" required=\"N\"/><field name=\"CxlRejReason\" required=\"N\"/><fiel"
      "d name=\"Text\" required=\"N\"/><field name=\"TransactTime\" required=\"N\"/></message><message name=\"Positi"
      "onReport\" msgtype=\"AP\" msgcat=\"app\"><field name=\"PosMaintRptID\" required=\"N\"/><field name=\"PosReqID\""
      " required=\"N\"/><field name=\"TotalNumPosReports\" required=\"N\"/><field name=\"PosReqResult\" required=\"N"
      "\"/><field name=\"ClearingBusinessDate\" required=\"N\"/><field name=\"Account\" required=\"N\"/><field name="
      "\"Symbol\" required=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><group name=\"NoPositions\" requi"
      "red=\"N\"><field name=\"PosType\" required=\"Y\"/><field name=\"LongQty\" required=\"N\"/><field name=\"ShortQt"
      "y\" required=\"N\"/></group></message><message name=\"MarketDataRequest\" msgtype=\"V\" msgcat=\"app\"><field"
      " name=\"MDReqID\" required=\"N\"/><field name=\"SubscriptionRequestType\" required=\"N\"/><field name=\"Marke"
      "tDepth\" required=\"N\"/><field name=\"MDUpdateType\" required=\"N\"/><group name=\"NoMDEntryTypes\" required"
      "=\"N\"><field name=\"MDEntryType\" required=\"Y\"/></group><group name=\"NoRelatedSym\" required=\"N\"><field "
      "name=\"Symbol\" required=\"Y\"/><field name=\"MaturityMonthYear\" required=\"N\"/></group></message><message"
      " name=\"MarketDataSnapshotFullRefresh\" msgtype=\"W\" msgcat=\"app\"><field name=\"MDReqID\" required=\"N\"/><"
      "field name=\"Symbol\" required=\"N\"/><field name=\"MaturityMonthYear\" required=\"N\"/><field name=\"Transac"
      "tTime\" required=\"N\"/><field name=\"TradeDate\" required=\"N\"/><field name=\"TradingSessionID\" required=\""
      "N\"/><field name=\"TpSyntheticBook\" required=\"N\"/><group name=\"NoMDEntries\" required=\"N\"><field name=\""
      "MDEntryType\" required=\"Y\"/><field name=\"MDEntryPx\" required=\"N\"/><field name=\"MDEntrySize\" required="
      "\"N\"/><field name=\"MDPriceLevel\" required=\"N\"/><field name=\"TradeCondition\" required=\"N\"/></group></m"
      "essage><message name=\"MarketDataIncrementalRefresh\" msgtype=\"X\" msgcat=\"app\"><field name=\"MDReqID\" r"
      "equired=\"N\"/><field name=\"TransactTime\" required=\"N\"/><field name=\"TradeDate\" required=\"N\"/><field n"
      "ame=\"TradingSessionID\" required=\"N\"/><field name=\"TpSyntheticBook\" required=\"N\"/><group name=\"NoMDEn"
      "tries\" required=\"N\"><field name=\"MDUpdateAction\" required=\"Y\"/><field name=\"MDEntryType\" required=\"N"
      "\"/><field name=\"MDEntryPx\" required=\"N\"/><field name=\"MDEntrySize\" required=\"N\"/><field name=\"MDPric"
      "eLevel\" required=\"N\"/><field name=\"TradeCondition\" required=\"N\"/></group></message><message name=\"Ma"
      "rketDataRequestReject\" msgtype=\"Y\" msgcat=\"app\"><field name=\"MDReqID\" required=\"N\"/><field name=\"MDR"
      "eqRejReason\" required=\"N\"/><field name=\"Text\" required=\"N\"/></message></messages><components></compo"
      "nents><fields><field number=\"8\" name=\"BeginString\" type=\"STRING\"/><field number=\"9\" name=\"BodyLength"
      "\" type=\"LENGTH\"/><field number=\"35\" name=\"MsgType\" type=\"STRING\"/><field number=\"49\" name=\"SenderCom"
      "pID\" type=\"STRING\"/><field number=\"56\" name=\"TargetCompID\" type=\"STRING\"/><field number=\"34\" name=\"M"
      "sgSeqNum\" type=\"SEQNUM\"/><field number=\"52\" name=\"SendingTime\" type=\"UTCTIMESTAMP\"/><field number=\"4"
      "3\" name=\"PossDupFlag\" type=\"BOOLEAN\"/><field number=\"97\" name=\"PossResend\" type=\"BOOLEAN\"/><field nu"
      "mber=\"122\" name=\"OrigSendingTime\" type=\"UTCTIMESTAMP\"/><field number=\"10\" name=\"CheckSum\" type=\"STRI"
      "NG\"/><field number=\"98\" name=\"EncryptMethod\" type=\"INT\"/><field number=\"108\" name=\"HeartBtInt\" type="
      "\"INT\"/><field number=\"141\" name=\"ResetSeqNumFlag\" type=\"BOOLEAN\"/><field number=\"112\" name=\"TestReqI"
      "D\" type=\"STRING\"/><field number=\"7\" name=\"BeginSeqNo\" type=\"SEQNUM\"/><field number=\"16\" name=\"EndSeq"
      "No\" type=\"SEQNUM\"/><field number=\"123\" name=\"GapFillFlag\" type=\"BOOLEAN\"/><field number=\"36\" name=\"N"
      "ewSeqNo\" type=\"SEQNUM\"/><field number=\"58\" name=\"Text\" type=\"STRING\"/><field number=\"45\" name=\"RefSe"
      "qNum\" type=\"SEQNUM\"/><field number=\"371\" name=\"RefTagID\" type=\"INT\"/><field number=\"372\" name=\"RefMs"
      "gType\" type=\"STRING\"/><field number=\"373\" name=\"SessionRejectReason\" type=\"INT\"/><field number=\"789\""
      " name=\"NextExpectedMsgSeqNum\" type=\"SEQNUM\"/><field number=\"379\" name=\"BusinessRejectRefID\" type=\"ST"
      "RING\"/><field number=\"380\" name=\"BusinessRejectReason\" type=\"INT\"/><field number=\"11\" name=\"ClOrdID\""
      " type=\"STRING\"/><field number=\"1\" name=\"Account\" type=\"STRING\"/><field number=\"55\" name=\"Symbol\" typ"
      "e=\"STRING\"/><field number=\"200\" name=\"MaturityMonthYear\" type=\"STRING\"/><field number=\"54\" name=\"Sid"
      "e\" type=\"CHAR\"/><field number=\"38\" name=\"OrderQty\" type=\"QTY\"/><field number=\"40\" name=\"OrdType\" typ"
      "e=\"CHAR\"/><field number=\"44\" name=\"Price\" type=\"PRICE\"/><field number=\"59\" name=\"TimeInForce\" type=\""
      "CHAR\"/><field number=\"77\" name=\"PositionEffect\" type=\"CHAR\"/><field number=\"60\" name=\"TransactTime\" "
      "type=\"STRING\"/><field number=\"41\" name=\"OrigClOrdID\" type=\"STRING\"/><field number=\"37\" name=\"OrderID"
      "\" type=\"STRING\"/><field number=\"17\" name=\"ExecID\" type=\"STRING\"/><field number=\"150\" name=\"ExecType\""
      " type=\"CHAR\"/><field number=\"39\" name=\"OrdStatus\" type=\"CHAR\"/><field number=\"14\" name=\"CumQty\" type"
      "=\"QTY\"/><field number=\"151\" name=\"LeavesQty\" type=\"QTY\"/><field number=\"6\" name=\"AvgPx\" type=\"PRICE\""
      "/><field number=\"31\" name=\"LastPx\" type=\"PRICE\"/><field number=\"32\" name=\"LastQty\" type=\"QTY\"/><fiel"
      "d number=\"103\" name=\"OrdRejReason\" type=\"INT\"/><field number=\"584\" name=\"MassStatusReqID\" type=\"STRI"
      "NG\"/><field number=\"585\" name=\"MassStatusReqType\" type=\"INT\"/><field number=\"911\" name=\"TotNumReport"
      "s\" type=\"INT\"/><field number=\"912\" name=\"LastRptRequested\" type=\"BOOLEAN\"/><field number=\"434\" name="
      "\"CxlRejResponseTo\" type=\"CHAR\"/><field number=\"102\" name=\"CxlRejReason\" type=\"INT\"/><field number=\"7"
      "10\" name=\"PosReqID\" type=\"STRING\"/><field number=\"724\" name=\"PosReqType\" type=\"INT\"/><field number=\""
      "715\" name=\"ClearingBusinessDate\" type=\"STRING\"/><field number=\"721\" name=\"PosMaintRptID\" type=\"STRIN"
      "G\"/><field number=\"727\" name=\"TotalNumPosReports\" type=\"INT\"/><field number=\"728\" name=\"PosReqResult"
      "\" type=\"INT\"/><field number=\"702\" name=\"NoPositions\" type=\"NUMINGROUP\"/><field number=\"703\" name=\"Po"
      "sType\" type=\"STRING\"/><field number=\"704\" name=\"LongQty\" type=\"QTY\"/><field number=\"705\" name=\"Short"
      "Qty\" type=\"QTY\"/><field number=\"262\" name=\"MDReqID\" type=\"STRING\"/><field number=\"263\" name=\"Subscri"
      "ptionRequestType\" type=\"CHAR\"/><field number=\"264\" name=\"MarketDepth\" type=\"INT\"/><field number=\"265"
      "\" name=\"MDUpdateType\" type=\"INT\"/><field number=\"267\" name=\"NoMDEntryTypes\" type=\"NUMINGROUP\"/><fiel"
      "d number=\"269\" name=\"MDEntryType\" type=\"CHAR\"/><field number=\"146\" name=\"NoRelatedSym\" type=\"NUMINGR"
      "OUP\"/><field number=\"268\" name=\"NoMDEntries\" type=\"NUMINGROUP\"/><field number=\"279\" name=\"MDUpdateAc"
      "tion\" type=\"CHAR\"/><field number=\"270\" name=\"MDEntryPx\" type=\"PRICE\"/><field number=\"271\" name=\"MDEn"
      "trySize\" type=\"QTY\"/><field number=\"1023\" name=\"MDPriceLevel\" type=\"INT\"/><field number=\"277\" name=\""
      "TradeCondition\" type=\"STRING\"/><field number=\"75\" name=\"TradeDate\" type=\"STRING\"/><field number=\"336"
      "\" name=\"TradingSessionID\" type=\"STRING\"/><field number=\"281\" name=\"MDReqRejReason\" type=\"CHAR\"/><fie"
      "ld number=\"5001\" name=\"TpSyntheticBook\" type=\"BOOLEAN\"/></fields></fix>";
}

/// Writes the dictionary to a new temporary file and returns its path (the caller
/// removes it). Throws std::runtime_error when it cannot.
/// The session settings every QuickFIX peer of this profile uses with that dictionary
/// (`dictionary_path`, from write_fix44_dictionary): always in session, the dictionary on,
/// user-defined tags and unknown fields of known messages accepted, no latency check.
inline std::string fix44_validation_settings(const std::string& dictionary_path) {
  return "StartTime=00:00:00\n"
         "EndTime=00:00:00\n"
         "UseDataDictionary=Y\n"
         "DataDictionary=" + dictionary_path + "\n"
         "ValidateUserDefinedFields=N\n"
         "AllowUnknownMsgFields=Y\n"
         "ValidateFieldsOutOfOrder=N\n"
         "CheckLatency=N\n";
}

inline std::string write_fix44_dictionary() {
  char path[] = "/tmp/tp-fix44-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot create a temporary FIX data dictionary");
  const std::string xml = fix44_dictionary_xml();
  std::size_t done = 0;
  while (done < xml.size()) {
    const ssize_t n = ::write(fd, xml.data() + done, xml.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(path);
      throw std::runtime_error("cannot write the temporary FIX data dictionary");
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

}  // namespace venue
}  // namespace tp
