// The balance over time as an SVG line, drawn by the app itself (no library, no inline style).
import { h } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 200;
const PAD = 36;

function svg(tag, attributes = {}) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function balanceChart(opening, lines, money) {
  const points = [{ t: null, balance: opening }, ...lines.map((line) => ({ t: Date.parse(line.created_at), balance: line.balance_after }))];
  const figure = h("figure", { className: "chart" });
  if (lines.length === 0) return figure;
  const first = points[1].t;
  const last = points[points.length - 1].t;
  points[0].t = first;
  const span = Math.max(1, last - first);
  const balances = points.map((point) => point.balance);
  const low = Math.min(0, ...balances);
  const high = Math.max(...balances, low + 1);
  const x = (t) => PAD + ((t - first) / span) * (WIDTH - 2 * PAD);
  const y = (balance) => HEIGHT - PAD + ((low - balance) / (high - low)) * (HEIGHT - 2 * PAD);
  // A step line: a balance holds until the next transaction changes it.
  let path = `M${x(points[0].t).toFixed(1)},${y(points[0].balance).toFixed(1)}`;
  for (const point of points.slice(1)) path += ` H${x(point.t).toFixed(1)} V${y(point.balance).toFixed(1)}`;

  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": "chart-title", class: "balance-chart" });
  const title = svg("title", { id: "chart-title" });
  title.textContent = `Balance from ${money(opening)} to ${money(points[points.length - 1].balance)}`;
  chart.append(title,
    svg("line", { x1: PAD, y1: y(low), x2: WIDTH - PAD, y2: y(low), class: "axis" }),
    svg("path", { d: path, class: "balance-line" }));
  for (const [value, anchor] of [[high, y(high)], [low, y(low)]]) {
    const label = svg("text", { x: 4, y: anchor + 4, class: "axis-label" });
    label.textContent = money(value);
    chart.append(label);
  }
  for (const [t, anchor, align] of [[first, PAD, "start"], [last, WIDTH - PAD, "end"]]) {
    const label = svg("text", { x: anchor, y: HEIGHT - 8, "text-anchor": align, class: "axis-label" });
    label.textContent = new Date(t).toISOString().slice(0, 10);
    chart.append(label);
  }
  figure.append(chart, h("figcaption", {}, "Balance over time"));
  return figure;
}
