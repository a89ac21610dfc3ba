// The HTML report (tp/app/html_report.hpp): one self-contained page, lightweight-charts
// inlined, every day's data embedded as JSON and drawn one day at a time.
#include "tp/app/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tp/engine/strategy/costs.hpp"
#include "tp/engine/strategy/exit_rules.hpp"

#ifndef TP_WEB_DIR
#define TP_WEB_DIR "web"
#endif

namespace tp::app {

namespace {

using json = nlohmann::ordered_json;

constexpr int64_t kSecPerMin = 60;

// ------------------------------------------------------------------ escaping

/// HTML text and attribute values.
std::string esc(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

/// JSON to embed in <script type="application/json">: '<', '>' and '&' only occur inside
/// JSON strings, where their \u escapes mean the same, so no "</script" or "<!--" can
/// appear. Invalid UTF-8 (a Big5 path) becomes U+FFFD rather than an exception.
std::string script_json(const json& j) {
  const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string o;
  o.reserve(s.size() + s.size() / 16);
  for (char c : s) {
    switch (c) {
      case '<': o += "\\u003c"; break;
      case '>': o += "\\u003e"; break;
      case '&': o += "\\u0026"; break;
      default: o += c;
    }
  }
  return o;
}

/// Text to inline as a classic <script>: a "</script" or "<!--" in it (only possible in
/// a string, a regular expression or a comment) is written "<\/script" / "<\!--", which
/// JavaScript reads the same.
std::string script_text(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size()) {
      const std::string_view rest = s.substr(i + 1);
      const bool end_tag = rest.size() >= 7 && rest[0] == '/' && [&] {
        static constexpr std::string_view kScript = "script";
        for (std::size_t k = 0; k < kScript.size(); ++k) {
          const char c = rest[1 + k];
          if ((c | 0x20) != kScript[k]) return false;
        }
        return true;
      }();
      if (end_tag) {
        o += "<\\";
        continue;
      }
      if (rest.starts_with("!--")) {
        o += "<\\";
        continue;
      }
    }
    o += s[i];
  }
  return o;
}

std::string read_library() {
  const std::string path = lightweight_charts_path();
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) text.clear();
  if (text.empty()) {
    throw std::runtime_error("cannot read the chart library " + path +
                             " (lightweight-charts): install it with scripts/setup.sh or `npm ci --prefix web` in the "
                             "checkout, or point TP_LIGHTWEIGHT_CHARTS_JS at a "
                             "lightweight-charts.standalone.production.js (4.x)");
  }
  return script_text(text);
}

// ------------------------------------------------------------------ formatting

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// "+22,892" / "-1,234" / "0": whole currency units with thousands separators.
std::string money(double v) {
  const double r = std::round(v);
  std::string digits = fmt("%.0f", std::fabs(r));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  if (r > 0) return "+" + digits;
  if (r < 0) return "-" + digits;
  return digits;
}

/// "22,892": a non-negative amount without sign.
std::string amount(double v) {
  const std::string s = money(std::fabs(v));
  return s[0] == '+' ? s.substr(1) : s;
}

/// Points with sign ("+571", "-12.5"), or without (`sign` false) for distances.
std::string points(double v, bool sign = true) {
  if (v == std::floor(v)) return fmt(sign ? "%+.0f" : "%.0f", v);
  return fmt(sign ? "%+.1f" : "%.1f", v);
}

std::string pct(double frac) { return fmt("%.1f%%", 100.0 * frac); }

/// A heatmap cell: short, still exact for whole numbers and small decimals.
std::string cell_number(double v) {
  if (std::fabs(v) >= 1000) return fmt("%.0f", v);
  return fmt("%.4g", v);
}

/// "HH:MM:SS.mmm" local time of `t`.
std::string local_clock(TimeNs t, int64_t off) {
  const int64_t ns = local_ns_of_day(t, off);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s.%03d", format_hhmmss(static_cast<int32_t>(ns / kNsPerSec)).c_str(),
                static_cast<int>((ns % kNsPerSec) / kNsPerMs));
  return buf;
}

/// Floor division of nanoseconds to whole seconds (times before 1970 stay ordered).
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

/// The chart's time of an event: the start of its minute in local time, as seconds
/// (lightweight-charts shows UTC, so the times are shifted by the instrument's offset).
int64_t chart_minute(TimeNs t, int64_t off_ns) {
  const int64_t s = floor_div(t.ns + off_ns, kNsPerSec);
  return floor_div(s, kSecPerMin) * kSecPerMin;
}

bool lot_filled(const LotResult& l) {
  return l.state != PositionState::EntryFailed && l.state != PositionState::PendingEntry;
}

/// 10^-scale as the page's tick size and price precision.
void tick_of(const Instrument& inst, double& tick, int& precision) {
  precision = std::clamp(inst.tick_size.scale, 0, 9);
  tick = static_cast<double>(inst.tick_size.mantissa) / std::pow(10.0, precision);
  if (!(tick > 0)) tick = 1;
}

// ------------------------------------------------------------------ the page

constexpr std::string_view kStyle = R"CSS(
*{box-sizing:border-box}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px 20px;color:#222;background:#fafafa}
h1{font-size:18px;margin:0 0 4px}
h2{font-size:15px;margin:18px 0 6px}
.sub{color:#666;margin:0 0 10px}
.panel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;margin:10px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f3f3f3;font-weight:600}
td.l,th.l{text-align:left}
.chart{width:100%;position:relative}
.legend{position:absolute;left:8px;top:4px;z-index:3;font-size:12px;color:#333;background:rgba(255,255,255,.8);padding:1px 4px;pointer-events:none}
.bar{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:6px}
.pos{color:#2e7d32}.neg{color:#c62828}
select,button{font:inherit;padding:2px 8px}
.heat td{min-width:56px;text-align:center;border:1px solid #fff}
.heat td.best{outline:2px solid #111;outline-offset:-2px;font-weight:700}
.heat td.none{background:#e0e0e0;color:#999}
.scroll{overflow-x:auto}
#tp-status{color:#999;font-size:11px;white-space:pre-wrap}
)CSS";

/// Counts errors from the start (before the library runs): window errors, unhandled
/// rejections and console.error calls.
constexpr std::string_view kErrorHook = R"JS(
window.__tpErrors=0;window.__tpErrorText=[];
window.addEventListener('error',function(e){window.__tpErrors++;window.__tpErrorText.push(String(e.message||e));});
window.addEventListener('unhandledrejection',function(e){window.__tpErrors++;window.__tpErrorText.push(String(e.reason));});
(function(){var ce=console.error;console.error=function(){window.__tpErrors++;window.__tpErrorText.push(Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};})();
)JS";

/// Helpers both pages use (inside their IIFE).
constexpr std::string_view kCommonJs = R"JS(
var LC=window.LightweightCharts;
function $(id){return document.getElementById(id);}
function put(){S.errors=window.__tpErrors||0;if(window.__tpErrorText.length)S.error_text=window.__tpErrorText.slice(0,5);var el=$('tp-status');if(el)el.textContent=JSON.stringify(S);}
function cell(tr,tag,text,cls){var c=document.createElement(tag);c.textContent=text;if(cls)c.className=cls;tr.appendChild(c);return c;}
function money(v){var r=Math.round(v);var s=Math.abs(r).toLocaleString('en-US');return r>0?'+'+s:(r<0?'-'+s:s);}
function sgnCls(v){return v>0?'pos':(v<0?'neg':'');}
function chartOpts(extra){var o={autoSize:true,layout:{background:{type:'solid',color:'#ffffff'},textColor:'#333',fontSize:11},
 grid:{vertLines:{color:'#f2f2f2'},horzLines:{color:'#f2f2f2'}},rightPriceScale:{borderColor:'#ccc'},
 timeScale:{borderColor:'#ccc'}};for(var k in extra)o[k]=extra[k];return o;}
/* Day labels as the time axis: 'YYYY-MM-DD' strings when they are dates in strictly
   increasing order, else one synthetic day per label (the axis shows the label). */
function dayTimes(labels){var ok=labels.every(function(s,i){return /^\d{4}-\d{2}-\d{2}$/.test(s)&&(i==0||labels[i-1]<s);});
 return ok?labels.slice():labels.map(function(s,i){return 946684800+i*86400;});}
function dayAxis(labels,times){if(typeof times[0]==='string')return {};var m={};times.forEach(function(t,i){m[t]=labels[i];});
 return {tickMarkFormatter:function(t){return m[t]||'';}};}
function timeKey(t){if(t==null)return null;if(typeof t==='object')return t.year+'-'+String(t.month).padStart(2,'0')+'-'+String(t.day).padStart(2,'0');return t;}
)JS";

constexpr std::string_view kReplayJs = R"JS(
(function(){'use strict';
var S={errors:0,charts:0,days:0,candles:0,markers:0,drawn_days:0,drawn_candles:0,drawn_markers:0};
@COMMON@
try{
var D=JSON.parse($('tp-data').textContent);
var tick=D.tick,prec=D.precision,pf={type:'price',precision:prec,minMove:tick};
function px(t){return +(t*tick).toFixed(prec);}
function fpx(t){return (t*tick).toFixed(prec);}
function fpts(v){return (v>0?'+':'')+(Number.isInteger(v)?v:v.toFixed(1));}
S.days=D.days.length;
D.days.forEach(function(d){S.candles+=d.b.length;d.lots.forEach(function(l){S.markers+=l.xt!=null?2:1;});});
var sel=$('tp-day');
D.days.forEach(function(d,i){var o=document.createElement('option');o.value=String(i);
 o.textContent=d.d+'   '+(d.lots.length?money(d.dnet)+' '+D.currency:'no trade');sel.appendChild(o);});
/* price: candles, volume, the opening range, the lots */
var pc=LC.createChart($('tp-price'),chartOpts({timeScale:{timeVisible:true,secondsVisible:false,rightOffset:6,borderColor:'#ccc'},
 crosshair:{mode:LC.CrosshairMode.Normal}}));S.charts++;
var cs=pc.addCandlestickSeries({priceFormat:pf,upColor:'#26a69a',downColor:'#ef5350',borderVisible:false,
 wickUpColor:'#26a69a',wickDownColor:'#ef5350'});
var vs=pc.addHistogramSeries({priceScaleId:'vol',priceFormat:{type:'volume'},lastValueVisible:false,priceLineVisible:false});
pc.priceScale('vol').applyOptions({scaleMargins:{top:0.82,bottom:0}});
var lines=[],seen=[],cur=-1,PAD=12;  /* empty minutes before the first candle: room for the markers' text */
pc.subscribeCrosshairMove(function(p){var b=p&&p.seriesData?p.seriesData.get(cs):null;var v=p&&p.seriesData?p.seriesData.get(vs):null;
 var d=cur>=0?D.days[cur]:null;
 $('tp-legend').textContent=b?('O '+b.open.toFixed(prec)+'  H '+b.high.toFixed(prec)+'  L '+b.low.toFixed(prec)+'  C '+b.close.toFixed(prec)+(v?'  V '+v.value:'')):(d?d.d:'');});
function markersOf(d){var m=[];d.lots.forEach(function(l){var lg=l.s==='L';
 m.push({time:l.et,position:lg?'belowBar':'aboveBar',shape:lg?'arrowUp':'arrowDown',color:lg?'#1565c0':'#e65100',
  text:(lg?'L':'S')+l.g+'.'+l.r+' '+fpx(l.ep)});
 if(l.xt!=null)m.push({time:l.xt,position:lg?'aboveBar':'belowBar',shape:'circle',color:l.pts>0?'#2e7d32':'#c62828',
  text:l.why+' '+fpts(l.pts)});});
 m.sort(function(a,b){return a.time-b.time;});return m;}
function dayInfo(d){var t=d.d+(d.c?'  ·  contract '+d.c:'');
 if(d.rh!=null)t+='  ·  opening range '+fpx(d.rl)+' – '+fpx(d.rh)+' ('+fpts((d.rh-d.rl)*tick).replace('+','')+' pts)';
 if(d.skip)t+='  ·  skipped: '+d.skip;
 t+='  ·  '+(d.lots.length?'net '+money(d.dnet)+' '+D.currency:'no trade');
 if(d.unfilled)t+='  ·  '+d.unfilled+' lot(s) not filled';return t;}
function lotTable(d){var tb=$('tp-lots');tb.textContent='';
 d.lots.forEach(function(l){var tr=document.createElement('tr');
  cell(tr,'td',l.s==='L'?'LONG':'SHORT','l');cell(tr,'td',String(l.g));cell(tr,'td',String(l.r));
  cell(tr,'td',l.ets);cell(tr,'td',fpx(l.ep));cell(tr,'td',l.xt!=null?l.xts:'(open)');
  cell(tr,'td',fpx(l.xp));cell(tr,'td',l.xt!=null?l.why:'open, marked at last','l');
  cell(tr,'td',fpts(l.pts),sgnCls(l.pts));cell(tr,'td',l.xt!=null?money(l.net):'',sgnCls(l.net));tb.appendChild(tr);});
 $('tp-lots-wrap').style.display=d.lots.length?'':'none';}
function draw(i){var d=D.days[i];cur=i;var bars=[],vol=[];
 if(d.b.length)for(var w=PAD;w>0;w--)bars.push({time:d.t0+d.b[0][0]*60-w*60});
 d.b.forEach(function(b){var t=d.t0+b[0]*60;bars.push({time:t,open:px(b[1]),high:px(b[2]),low:px(b[3]),close:px(b[4])});
  vol.push({time:t,value:b[5],color:b[4]>=b[1]?'rgba(38,166,154,0.35)':'rgba(239,83,80,0.35)'});});
 cs.setData(bars);vs.setData(vol);
 lines.forEach(function(l){cs.removePriceLine(l);});lines=[];
 if(d.rh!=null){lines.push(cs.createPriceLine({price:px(d.rh),color:'#7b1fa2',lineWidth:1,lineStyle:LC.LineStyle.Dashed,axisLabelVisible:true,title:'range high'}));
  lines.push(cs.createPriceLine({price:px(d.rl),color:'#7b1fa2',lineWidth:1,lineStyle:LC.LineStyle.Dashed,axisLabelVisible:true,title:'range low'}));}
 cs.setMarkers(markersOf(d));pc.timeScale().fitContent();
 if(!seen[i]){seen[i]=true;S.drawn_days++;S.drawn_candles+=cs.data().filter(function(x){return x.open!==undefined;}).length;S.drawn_markers+=cs.markers().length;}
 sel.value=String(i);$('tp-dayinfo').textContent=dayInfo(d);$('tp-legend').textContent=d.d;lotTable(d);put();}
sel.addEventListener('change',function(){draw(+sel.value);});
$('tp-prev').addEventListener('click',function(){if(cur>0)draw(cur-1);});
$('tp-next').addEventListener('click',function(){if(cur+1<D.days.length)draw(cur+1);});
/* equity and drawdown, one point per trading day */
var labels=D.days.map(function(d){return d.d;}),times=dayTimes(labels);
var ec=LC.createChart($('tp-equity'),chartOpts({timeScale:Object.assign({borderColor:'#ccc'},dayAxis(labels,times))}));S.charts++;
var dn=ec.addHistogramSeries({priceFormat:{type:'price',precision:0,minMove:1},lastValueVisible:false,priceLineVisible:false});
dn.setData(D.days.map(function(d,i){return {time:times[i],value:d.dnet,color:d.dnet>=0?'rgba(46,125,50,0.35)':'rgba(198,40,40,0.35)'};}));
var eq=ec.addLineSeries({color:'#1565c0',lineWidth:2,priceFormat:{type:'price',precision:0,minMove:1},title:'equity'});
eq.setData(D.days.map(function(d,i){return {time:times[i],value:d.eq};}));
var dc=LC.createChart($('tp-dd'),chartOpts({timeScale:Object.assign({borderColor:'#ccc'},dayAxis(labels,times))}));S.charts++;
var dd=dc.addBaselineSeries({baseValue:{type:'price',price:0},topLineColor:'#c62828',bottomLineColor:'#c62828',
 topFillColor1:'rgba(198,40,40,0)',topFillColor2:'rgba(198,40,40,0)',bottomFillColor1:'rgba(198,40,40,0.15)',bottomFillColor2:'rgba(198,40,40,0.4)',
 lineWidth:1,priceFormat:{type:'price',precision:0,minMove:1},title:'drawdown'});
dd.setData(D.days.map(function(d,i){return {time:times[i],value:d.dd};}));
ec.timeScale().fitContent();dc.timeScale().fitContent();
var syncing=false;function sync(a,b){a.timeScale().subscribeVisibleLogicalRangeChange(function(r){if(syncing||!r)return;syncing=true;b.timeScale().setVisibleLogicalRange(r);syncing=false;});}
sync(ec,dc);sync(dc,ec);
function pick(p){var k=timeKey(p&&p.time);if(k==null)return;var i=times.findIndex(function(t){return String(t)===String(k);});if(i>=0)draw(i);}
ec.subscribeClick(pick);dc.subscribeClick(pick);
/* #selftest: draw every day once (the browser test); #day=YYYY-MM-DD: open that day */
var hm=/^#day=(.+)$/.exec(location.hash),start=hm?Math.max(0,labels.indexOf(decodeURIComponent(hm[1]))):0;
if(D.days.length){if(location.hash==='#selftest'){for(var i=D.days.length-1;i>=0;i--)draw(i);}else draw(start);}
else{$('tp-dayinfo').textContent='no trading day in the input';}
}catch(e){window.__tpErrors++;window.__tpErrorText.push(String(e&&e.stack||e));}
finally{put();}
})();
)JS";

constexpr std::string_view kSweepJs = R"JS(
(function(){'use strict';
var S={errors:0,charts:0,heat_cells:0,equity_points:0,oos_points:0};
@COMMON@
try{
var D=JSON.parse($('tp-data').textContent);
S.heat_cells=document.querySelectorAll('.heat td.v').length;
if(D.labels.length&&D.best.length){
 var n=Math.min(D.labels.length,D.best.length),labels=D.labels.slice(0,n),times=dayTimes(labels);
 var c=LC.createChart($('tp-equity'),chartOpts({timeScale:Object.assign({borderColor:'#ccc'},dayAxis(labels,times))}));S.charts++;
 var b=c.addLineSeries({color:'#1565c0',lineWidth:2,priceFormat:{type:'price',precision:0,minMove:1},title:'best set'});
 b.setData(D.best.slice(0,n).map(function(v,i){return {time:times[i],value:v};}));S.equity_points=b.data().length;
 if(D.oos.length){var k=Math.min(D.oos.length,n),o=c.addLineSeries({color:'#e65100',lineWidth:2,lineStyle:LC.LineStyle.Dashed,
  priceFormat:{type:'price',precision:0,minMove:1},title:'walk-forward OOS'});
  o.setData(D.oos.slice(D.oos.length-k).map(function(v,i){return {time:times[n-k+i],value:v};}));S.oos_points=o.data().length;}
 c.timeScale().fitContent();
}else{$('tp-equity').style.display='none';}
}catch(e){window.__tpErrors++;window.__tpErrorText.push(String(e&&e.stack||e));}
finally{put();}
})();
)JS";

std::string with_common(std::string_view js) {
  std::string s(js);
  const std::size_t at = s.find("@COMMON@");
  if (at != std::string::npos) s.replace(at, 8, kCommonJs);
  return s;
}

/// The page around `body` (static HTML) and `app` (the page's script, after the data).
std::string page(const std::string& title, const std::string& body, const json& data, std::string_view app) {
  const std::string lib = read_library();
  std::string o;
  o.reserve(lib.size() + body.size() + 65536);
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<meta name=\"generator\" content=\"tickpipe\">\n<title>" + esc(title) + "</title>\n<style>";
  o += kStyle;
  o += "</style>\n<script>";
  o += kErrorHook;
  o += "</script>\n<script>\n";  // TradingView lightweight-charts, inlined (the page opens offline)
  o += lib;
  o += "\n</script>\n</head>\n<body>\n";
  o += body;
  o += "<pre id=\"tp-status\"></pre>\n<script type=\"application/json\" id=\"tp-data\">";
  o += script_json(data);
  o += "</script>\n<script>";
  o += with_common(app);
  o += "</script>\n</body>\n</html>\n";
  return o;
}

void table_rows_html(std::string& o, const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows) {
  o += "<div class=\"scroll\"><table>\n<thead><tr>";
  for (std::size_t i = 0; i < header.size(); ++i) o += std::string(i == 0 ? "<th class=\"l\">" : "<th>") + esc(header[i]) + "</th>";
  o += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    o += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) o += std::string(i == 0 ? "<td class=\"l\">" : "<td>") + esc(row[i]) + "</td>";
    o += "</tr>\n";
  }
  o += "</tbody></table></div>\n";
}

/// Red (lowest) .. yellow .. green (highest) of t in 0..1.
std::string heat_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "hsl(%.0f,70%%,%.0f%%)", 120.0 * t, 78.0 - 10.0 * std::fabs(t - 0.5));
  return buf;
}

}  // namespace

std::string lightweight_charts_path() {
  const char* env = std::getenv("TP_LIGHTWEIGHT_CHARTS_JS");
  if (env != nullptr && *env != '\0') return env;
  return TP_WEB_DIR "/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js";
}

void write_html_file(const std::string& path, const std::string& html) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write the HTML report " + path);
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write the HTML report " + path + " (write failed)");
}

std::vector<MinuteBar> minute_bars(const InputSegments& events) {
  std::vector<MinuteBar> bars;
  for (const auto& seg : events) {
    for (const InputEvent& e : seg) {
      if ((e.flags & kInTrade) == 0 || e.session != Session::Day) continue;
      const int64_t minute = floor_div(floor_div(e.ts.ns, kNsPerSec), kSecPerMin) * kSecPerMin;
      const int64_t p = e.last.ticks;
      if (!bars.empty() && bars.back().day == e.day && bars.back().minute_utc_s == minute) {
        MinuteBar& b = bars.back();
        b.high = std::max(b.high, p);
        b.low = std::min(b.low, p);
        b.close = p;
        b.volume += e.last_qty.lots;
        continue;
      }
      bars.push_back(MinuteBar{e.day, minute, p, p, p, p, e.last_qty.lots});
    }
  }
  return bars;
}

std::string format_html_report(const ReplayResult& r, const std::vector<MinuteBar>& bars) {
  const Instrument& inst = r.cfg.instrument;
  const int64_t off = inst.utc_offset_ns;
  const int64_t off_s = floor_div(off, kNsPerSec);
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  const ReportTotals t = report_totals(r);
  double tick = 1;
  int precision = 0;
  tick_of(inst, tick, precision);

  json days = json::array();
  double peak = 0;
  std::map<int32_t, std::vector<std::size_t>> by_day;  // trading day -> its bars, in order
  for (std::size_t k = 0; k < bars.size(); ++k) by_day[bars[k].day.yyyymmdd].push_back(k);
  for (std::size_t di = 0; di < r.days.size(); ++di) {
    const DayResult& d = r.days[di];
    json jd;
    jd["d"] = format_date(d.day.yyyymmdd);
    jd["c"] = di < r.day_contracts.size() ? r.day_contracts[di] : "";
    jd["rh"] = d.has_range ? json(d.range_high.ticks) : json(nullptr);
    jd["rl"] = d.has_range ? json(d.range_low.ticks) : json(nullptr);
    jd["skip"] = d.skipped == SkipReason::None ? json(nullptr) : json(to_string(d.skipped));
    const double dnet = di < t.day_net_currency.size() ? t.day_net_currency[di] : 0.0;
    const double eq = di < t.equity_currency.size() ? t.equity_currency[di] : 0.0;
    peak = std::max(peak, eq);
    jd["dnet"] = dnet;
    jd["eq"] = eq;
    jd["dd"] = eq - peak;
    // The day's candles as minutes after its first (a day of the bars that r.days
    // lacks is left out).
    json jb = json::array();
    int64_t t0 = 0;
    const auto it = by_day.find(d.day.yyyymmdd);
    if (it != by_day.end()) {
      t0 = bars[it->second.front()].minute_utc_s;
      for (std::size_t k : it->second) t0 = std::min(t0, bars[k].minute_utc_s);
      for (std::size_t k : it->second) {
        const MinuteBar& b = bars[k];
        jb.push_back(json::array({(b.minute_utc_s - t0) / kSecPerMin, b.open, b.high, b.low, b.close, b.volume}));
      }
      t0 += off_s;
    }
    jd["t0"] = t0;
    jd["b"] = std::move(jb);
    json lots = json::array();
    int unfilled = 0;
    for (const EntryResult& e : d.entries) {
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        if (!lot_filled(l)) {
          ++unfilled;
          continue;
        }
        const bool closed = l.state == PositionState::Closed;
        const double cost =
            lot_costs(r.cfg.costs, inst, l.entry_px, l.exit_px, closed).total();
        const Ticks pnl = closed ? l.pnl : lot_pnl(l.side, l.entry_px, l.last_px);
        json jl;
        jl["s"] = l.side == PosSide::Long ? "L" : "S";
        jl["g"] = l.group;
        jl["r"] = l.rule;
        jl["et"] = chart_minute(l.entry_time, off);
        jl["ets"] = local_clock(l.entry_time, off);
        jl["ep"] = l.entry_px.ticks;
        jl["xt"] = closed ? json(chart_minute(l.exit_time, off)) : json(nullptr);
        jl["xts"] = closed ? json(local_clock(l.exit_time, off)) : json(nullptr);
        jl["xp"] = closed ? l.exit_px.ticks : l.last_px.ticks;
        jl["why"] = closed ? json(to_string(l.exit_reason)) : json(nullptr);
        jl["pts"] = pts(pnl.v);
        jl["net"] = closed ? pts(pnl.v) * inst.point_value - cost : 0.0;
        lots.push_back(std::move(jl));
      }
    }
    jd["lots"] = std::move(lots);
    jd["unfilled"] = unfilled;
    days.push_back(std::move(jd));
  }
  json data;
  data["symbol"] = inst.symbol;
  data["currency"] = inst.currency;
  data["tick"] = tick;
  data["precision"] = precision;
  data["utc_offset"] = utc_offset_text(off);
  data["days"] = std::move(days);

  std::string title = "tickpipe " + r.mode + ": " + inst.symbol;
  if (!r.input.contract.empty()) title += " " + r.input.contract;
  const std::string cur = inst.currency;
  std::string b;
  b += "<h1>" + esc(title) + "</h1>\n<p class=\"sub\">" + esc(r.data) + "<br>";
  b += esc(std::to_string(r.days.size()) + " trading day(s); config " +
           (r.cfg.source.empty() ? std::string("(built-in defaults)") : r.cfg.source) + "; times are exchange time, UTC" +
           utc_offset_text(off) + "; prices in points, money in " + cur);
  b += "</p>\n";

  // The summary figures (the text report's totals).
  auto row = [&](const std::string& k, const std::string& v, double sign = 0) {
    const char* cls = sign > 0 ? " class=\"pos\"" : (sign < 0 ? " class=\"neg\"" : "");
    b += "<tr><th class=\"l\">" + esc(k) + "</th><td" + cls + ">" + esc(v) + "</td></tr>\n";
  };
  b += "<div class=\"panel\"><h2 style=\"margin-top:0\">Summary</h2>\n<table id=\"tp-summary\">\n";
  row("net PnL", money(t.net_currency) + " " + cur, t.net_currency);
  row("gross PnL", money(t.gross_currency) + " " + cur + " (" + points(t.gross_points) + " pts), costs " +
                       amount(t.costs_currency) + " " + cur,
      t.gross_currency);
  row("trades", std::to_string(t.trades) + ", win rate " + (t.trades ? pct(static_cast<double>(t.trade_wins) / t.trades) : "-"));
  row("lots closed", std::to_string(t.lots_closed) + ", win rate " +
                         (t.lots_closed ? pct(static_cast<double>(t.lot_wins) / t.lots_closed) : "-") +
                         (t.lots_open ? "; " + std::to_string(t.lots_open) + " open, unrealized " +
                                            points(t.unrealized_points) + " pts"
                                      : ""));
  row("profit factor", std::isfinite(t.profit_factor) ? fmt("%.2f", t.profit_factor) : "inf (no losing trade)");
  row("max drawdown", money(-t.max_day_drawdown_currency) + " " + cur + " (daily net equity); " +
                          points(t.max_drawdown_points, false) + " pts realized, " +
                          points(t.max_equity_drawdown_points, false) +
                          " pts mark-to-market");
  row("Sharpe / Sortino", fmt("%.2f", t.sharpe) + " / " + fmt("%.2f", t.sortino) + " (daily net, x sqrt 252)");
  row("avg win / avg loss", money(t.avg_win_currency) + " / " + money(t.avg_loss_currency) + " " + cur +
                                " per trade; longest losing streak " + std::to_string(t.longest_losing_streak));
  row("days traded", std::to_string(t.days_traded) + " / " + std::to_string(r.days.size()));
  b += "</table></div>\n";

  b += "<div class=\"panel\"><h2 style=\"margin-top:0\">Trading day</h2>\n<div class=\"bar\">";
  b += "<button id=\"tp-prev\" title=\"previous day\">&#9664;</button><select id=\"tp-day\"></select>";
  b += "<button id=\"tp-next\" title=\"next day\">&#9654;</button><span id=\"tp-dayinfo\"></span></div>\n";
  b += "<div class=\"chart\" id=\"tp-price\" style=\"height:460px\"><div class=\"legend\" id=\"tp-legend\"></div></div>\n";
  b += "<p class=\"sub\">1-minute candles of the day session's trades; dashed lines: the opening range; arrows: "
       "entries (up LONG, down SHORT; group.rule and fill price), circles: exits (reason and PnL points).</p>\n";
  b += "<div id=\"tp-lots-wrap\" class=\"scroll\"><table><thead><tr><th class=\"l\">side</th><th>grp</th><th>rule</th>"
       "<th>entry time</th><th>entry</th><th>exit time</th><th>exit</th><th class=\"l\">reason</th><th>pnl pts</th><th>net " +
       esc(cur) + "</th></tr></thead><tbody id=\"tp-lots\"></tbody></table></div>\n</div>\n";
  b += "<div class=\"panel\"><h2 style=\"margin-top:0\">Equity (cumulative net " + esc(cur) +
       ", end of each day; bars: the day's net) &mdash; click a day to show it</h2>\n";
  b += "<div class=\"chart\" id=\"tp-equity\" style=\"height:260px\"></div>\n";
  b += "<h2>Drawdown (equity minus its running peak)</h2>\n";
  b += "<div class=\"chart\" id=\"tp-dd\" style=\"height:160px\"></div>\n</div>\n";
  return page(title, b, data, kReplayJs);
}

std::string format_sweep_html(const SweepHtml& s) {
  json data;
  data["labels"] = s.day_labels;
  auto finite = [](const std::vector<double>& v) {
    json a = json::array();
    for (double x : v) a.push_back(std::isfinite(x) ? json(x) : json(nullptr));
    return a;
  };
  data["best"] = finite(s.best_equity);
  data["oos"] = finite(s.oos_equity);

  const std::string title = s.title.empty() ? std::string("tickpipe sweep") : s.title;
  std::string b;
  b += "<h1>" + esc(title) + "</h1>\n<p class=\"sub\">objective: " + esc(s.objective) + "</p>\n";

  if (!s.x_param.empty() && !s.y_param.empty() && !s.heat.empty()) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    std::size_t by = 0, bx = 0;
    bool any = false;
    for (std::size_t y = 0; y < s.heat.size(); ++y) {
      for (std::size_t x = 0; x < s.heat[y].size(); ++x) {
        const double v = s.heat[y][x];
        if (!std::isfinite(v)) continue;
        if (!any || v > hi) {
          by = y;
          bx = x;
        }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        any = true;
      }
    }
    b += "<div class=\"panel\"><h2 style=\"margin-top:0\">" + esc(s.objective) + " over " + esc(s.x_param) + " &times; " +
         esc(s.y_param) + " (best over the other parameters)</h2>\n";
    if (any) {
      b += "<p class=\"sub\">colour: lowest " + esc(cell_number(lo)) + " (red) .. highest " + esc(cell_number(hi)) +
           " (green); grey: no set; outlined: the best cell</p>\n";
    }
    b += "<div class=\"scroll\"><table class=\"heat\" id=\"tp-heat\">\n<thead><tr><th class=\"l\">" + esc(s.y_param) +
         " \\ " + esc(s.x_param) + "</th>";
    const std::size_t nx = [&] {
      std::size_t n = s.x_values.size();
      for (const auto& r : s.heat) n = std::max(n, r.size());
      return n;
    }();
    for (std::size_t x = 0; x < nx; ++x) b += "<th>" + esc(x < s.x_values.size() ? s.x_values[x] : "") + "</th>";
    b += "</tr></thead>\n<tbody>\n";
    for (std::size_t y = 0; y < s.heat.size(); ++y) {
      b += "<tr><th class=\"l\">" + esc(y < s.y_values.size() ? s.y_values[y] : "") + "</th>";
      for (std::size_t x = 0; x < nx; ++x) {
        const double v = x < s.heat[y].size() ? s.heat[y][x] : std::numeric_limits<double>::quiet_NaN();
        const std::string xl = x < s.x_values.size() ? s.x_values[x] : "";
        const std::string yl = y < s.y_values.size() ? s.y_values[y] : "";
        const std::string tip = s.x_param + "=" + xl + ", " + s.y_param + "=" + yl + ": ";
        if (!std::isfinite(v)) {
          b += "<td class=\"none\" title=\"" + esc(tip + "no set") + "\"></td>";
          continue;
        }
        const double u = hi > lo ? (v - lo) / (hi - lo) : 1.0;
        const bool best = y == by && x == bx;
        b += std::string("<td class=\"v") + (best ? " best" : "") + "\" style=\"background:" + heat_colour(u) +
             "\" title=\"" + esc(tip + fmt("%.6g", v)) + "\">" + esc(cell_number(v)) + "</td>";
      }
      b += "</tr>\n";
    }
    b += "</tbody></table></div></div>\n";
  }
  if (!s.table_header.empty() || !s.table_rows.empty()) {
    b += "<div class=\"panel\" id=\"tp-top\"><h2 style=\"margin-top:0\">Top sets by " + esc(s.objective) + "</h2>\n";
    table_rows_html(b, s.table_header, s.table_rows);
    b += "</div>\n";
  }
  if (!s.wf_header.empty() || !s.wf_rows.empty()) {
    b += "<div class=\"panel\" id=\"tp-wf\"><h2 style=\"margin-top:0\">Walk-forward</h2>\n";
    table_rows_html(b, s.wf_header, s.wf_rows);
    b += "</div>\n";
  }
  b += "<div class=\"panel\"><h2 style=\"margin-top:0\">Equity of the best set (cumulative net per day)" +
       std::string(s.oos_equity.empty() ? "" : "; dashed: walk-forward out-of-sample, stitched") + "</h2>\n";
  b += "<div class=\"chart\" id=\"tp-equity\" style=\"height:280px\"></div>\n</div>\n";
  return page(title, b, data, kSweepJs);
}

}  // namespace tp::app
