// The playground page's style sheet, inlined by page.ts. Statuses differ in outline and text as well as
// colour (dashed: crashed, dotted: paused; a node named by a failed check has a double ring), a view's
// cells carry their text, timers are grey arcs named in the detail panel, and the message behind a failed
// check is a heavy arrow with a label, so the ring reads in greyscale; every control shows a focus ring.

import { TIMELINE_CSS } from './timeline.js';

export const PLAYGROUND_CSS = TIMELINE_CSS + `
:root { color-scheme: light; font-family: system-ui, sans-serif; }
body { margin: 0; background: #fafafa; color: #1b1b1b; }
header { padding: 8px 16px; background: #20242c; color: #f2f2f2; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header label { font-size: 13px; }
header select, header input { font: inherit; font-size: 13px; }
main { display: grid; grid-template-columns: minmax(420px, 640px) minmax(260px, 1fr); gap: 16px; padding: 12px 16px; }
#controls { grid-column: 1 / -1; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
#controls button { font: inherit; padding: 4px 10px; }
#time-slider { flex: 1 1 320px; }
#time-label { font-variant-numeric: tabular-nums; min-width: 14ch; }
#ring { width: 100%; height: auto; background: #fff; border: 1px solid #ccc; border-radius: 6px; }
.node circle { fill: #dff0e0; stroke: #2f6b35; stroke-width: 3; cursor: pointer; }
.node[data-status="crashed"] circle { fill: #f4d7d7; stroke: #8a1f1f; stroke-dasharray: 6 4; }
.node[data-status="paused"] circle { fill: #f3ecd0; stroke: #7a6414; stroke-dasharray: 2 3; }
.node[data-status="down"] circle, .node[data-status="absent"] circle { fill: #eee; stroke: #888; stroke-dasharray: 1 4; }
.node[data-role="leader"] circle { stroke-width: 6; }
.node.selected circle { stroke: #1f4fa8; }
.node.client circle { fill: #e6ecf7; stroke: #3d5a8c; stroke-width: 2; }
.node.client .id { font-size: 11px; font-weight: 400; }
.node text { font-size: 13px; text-anchor: middle; pointer-events: none; }
.node .id { font-weight: 700; font-size: 15px; }
.msg { stroke: #333; stroke-width: 0.5; }
.msg.dropped { stroke-dasharray: 2 2; }
#node-menu { border: 1px solid #bbb; border-radius: 6px; padding: 8px; background: #fff; margin-top: 8px; }
#node-menu[hidden] { display: none; }
#node-menu button { font: inherit; margin: 2px; }
aside h2 { font-size: 15px; margin: 12px 0 4px; }
#legend li, #actions li, #checks li { font-size: 13px; }
#legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; border: 1px solid #333; }
#status { font-size: 13px; }
#fingerprint { font-family: ui-monospace, monospace; }
.problem { color: #8a1f1f; font-size: 13px; }
#ring { user-select: none; touch-action: none; }
:focus-visible { outline: 3px solid #1f4fa8; outline-offset: 2px; }
.node:focus { outline: none; }
.node:focus-visible circle { stroke: #1f4fa8; stroke-width: 6; }
.node.implicated circle { stroke: #b00020; stroke-width: 7; }
.node.implicated .state { font-weight: 700; }
line.cut { stroke: #b00020; stroke-width: 3; stroke-dasharray: 8 5; }
.cut-head { fill: #b00020; }
line.drag { stroke: #555; stroke-width: 2; stroke-dasharray: 4 4; pointer-events: none; }
#violation { border: 3px double #b00020; background: #fff3f3; color: #5c0010; border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; font-size: 14px; }
#violation[hidden] { display: none; }
#violation .violation { margin-top: 4px; font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; }
#act h2 { font-size: 15px; margin: 12px 0 4px; }
.act-row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 4px 0; font-size: 13px; }
.act-row button, .act-row select, #act button, #act select { font: inherit; }
output { font-variant-numeric: tabular-nums; min-width: 7ch; display: inline-block; }
#actions li, #drawn li { font-size: 13px; }
li.later { color: #666; font-style: italic; }
.hint { font-size: 13px; color: #444; }
#lesson { border: 1px solid #9bb0d3; border-left: 6px solid #1f4fa8; background: #f4f7fc; border-radius: 6px; padding: 4px 12px 8px; margin-bottom: 8px; }
#lesson[hidden] { display: none; }
#lesson h2 { font-size: 16px; }
#lesson h3 { font-size: 14px; margin: 10px 0 4px; }
#lesson .lesson-session { font-family: ui-monospace, monospace; font-size: 12px; color: #333; }
#lesson .lesson-text { font-size: 14px; line-height: 1.45; margin: 6px 0; max-width: 60ch; }
#lesson li { font-size: 13px; margin: 2px 0; }
#lesson button { font: inherit; font-size: 13px; margin-top: 6px; }
.node .view-line { font-size: 11px; fill: #222; }
.node.client .view-line { display: none; }
.node .cells text { font-size: 8px; fill: #111; }
.node .cells rect { stroke: #555; stroke-width: 0.6; }
.timer-arc { fill: none; stroke: #5a5a5a; stroke-width: 2.5; pointer-events: none; }
.node[data-status="crashed"] .timer-arc, .node[data-status="paused"] .timer-arc { stroke-dasharray: 2 2; }
.violation-msg line { stroke: #7a0016; stroke-width: 5; }
.violation-msg.sent line { stroke-width: 2.5; stroke-dasharray: 0.5 5; stroke-linecap: round; }
.violation-sampled { font-size: 13px; margin: 2px 0 0 12px; font-style: italic; }
.violation-head { fill: #7a0016; }
.violation-label { font-size: 12px; font-weight: 700; fill: #7a0016; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
#violation .violation-events { margin: 4px 0 0 0; padding-left: 20px; font-size: 13px; }
#node-detail { border: 1px solid #bbb; border-radius: 6px; padding: 4px 10px 8px; background: #fff; margin-bottom: 8px; }
#node-detail h2 { font-size: 15px; margin: 6px 0 4px; }
#node-detail h3 { font-size: 13px; margin: 8px 0 4px; }
#node-detail table { border-collapse: collapse; font-size: 12px; }
#node-detail th, #node-detail td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
#node-detail .view-table th[scope="col"] { font-weight: 600; background: #f2f2f2; }
#node-detail .detail-status { font-size: 13px; }
.view-cells { display: flex; flex-wrap: wrap; gap: 2px; }
.view-cell { display: inline-flex; flex-direction: column; align-items: center; min-width: 30px; border: 1px solid #555; border-radius: 3px; padding: 1px 3px; font-size: 12px; font-variant-numeric: tabular-nums; }
.view-cell small { font-size: 10px; color: #333; }
.timer-list { padding-left: 0; list-style: none; margin: 0; font-size: 13px; }
.timer-list li { display: flex; gap: 8px; align-items: center; margin: 2px 0; font-variant-numeric: tabular-nums; }
.timer-name { min-width: 9ch; font-family: ui-monospace, monospace; }
.timer-bar { display: inline-block; width: 120px; height: 8px; border: 1px solid #555; background: #fff; }
.timer-bar span { display: block; height: 100%; background: #5a5a5a; }
#open-run { font-size: 13px; }
#open-run input { font: inherit; font-size: 13px; max-width: 24ch; }
#open-status { font-size: 13px; border-left: 4px solid #1f4fa8; padding: 2px 8px; margin: 6px 0; overflow-wrap: anywhere; }
#open-status[hidden] { display: none; }
body[data-dropping] main { outline: 3px dashed #1f4fa8; outline-offset: -6px; }
`;
