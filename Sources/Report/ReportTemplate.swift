/// The report page (Mustache; double braces escape HTML). Self-contained: inline style, no
/// script, images as data URIs, so it opens offline, from an e-mail or a cluster's file viewer.
enum ReportTemplate {
    static let page = #"""
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>CalFarm report {{request}}</title>
    <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
    h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 2em; }
    table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; }
    pre { background: #f6f6f6; padding: 6px; overflow-x: auto; font-size: 12px; }
    .timeline text { font-size: 9px; fill: #444; } .timeline .step { font-weight: bold; } .timeline .axis { fill: #888; }
    .wait { fill: #d9d9d9; } .done { fill: #2e9e4f; } .failed { fill: #d33; } .cancelled { fill: #999; }
    .running { fill: #3a7bd5; } .queued { fill: #bcd; } .critical { fill: #f90; } .critical-bar { stroke: #f90; stroke-width: 1; }
    .maps { display: flex; flex-wrap: wrap; gap: 14px; } .map { width: 540px; }
    .map img { width: 512px; height: 128px; image-rendering: pixelated; border: 1px solid #ccc; }
    .bar { height: 8px; width: 512px; background: linear-gradient(to right, {{{gradient}}}); }
    .range { display: flex; justify-content: space-between; width: 512px; font-size: 11px; color: #555; }
    .hist path { fill: #5b7fa6; } .note { color: #777; } .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
    </style></head><body>
    <h1>CalFarm report: request {{request}}</h1>
    <p class="note">generated {{generated}}</p>

    <h2 id="summary">Summary</h2>
    <table>{{#summary}}<tr><th>{{name}}</th><td>{{value}}</td></tr>{{/summary}}</table>
    {{#hasMissing}}<p><b>Missing:</b></p><ul>{{#missing}}<li>{{text}}</li>{{/missing}}</ul>{{/hasMissing}}
    <details><summary>effective configuration</summary><pre>{{configuration}}</pre></details>

    <h2 id="timeline">Timeline</h2>
    <p class="legend">each row a job unit, each bar an attempt:<span class="wait" style="background:#d9d9d9"></span>waiting
    <span style="background:#2e9e4f"></span>done <span style="background:#d33"></span>failed <span style="background:#999"></span>cancelled
    <span style="background:#3a7bd5"></span>running <span style="background:#f90"></span>critical path</p>
    <p class="note">{{timelineNote}}</p>
    {{{timeline}}}

    <h2 id="resources">Resources</h2>
    <table><tr><th>step</th><th>units</th><th>wall (median / max)</th><th>CPU</th><th>peak memory</th><th>time limit</th><th>memory requested</th></tr>
    {{#resources}}<tr><td>{{step}}</td><td>{{units}}</td><td>{{wall}}</td><td>{{cpu}}</td><td>{{memory}}</td><td>{{limit}}</td><td>{{requested}}</td></tr>{{/resources}}</table>
    <ul>{{#resources}}{{#suggestion}}<li>{{suggestion}}</li>{{/suggestion}}{{/resources}}</ul>

    <h2 id="failures">Failures</h2>
    {{^hasFailures}}<p>none</p>{{/hasFailures}}
    {{#failures}}<div class="failure" data-failed-attempt="{{job}} {{number}}"><p><b>{{job}}</b> attempt {{number}} failed, exit {{exit}}, node {{node}} ({{outcome}})<br>{{reason}}<br>
    <span class="note">log {{log}}</span><br>{{cancelled}}</p><pre>{{tail}}</pre></div>{{/failures}}

    <h2 id="quality">Data quality</h2>
    {{^hasWarnings}}<p>no warnings</p>{{/hasWarnings}}
    {{#warnings}}<details><summary>{{step}}: {{count}} warning(s)</summary><ul>{{#lines}}<li>{{text}}</li>{{/lines}}</ul></details>{{/warnings}}

    <h2 id="constants">Constants</h2>
    <p class="note">{{noConstants}}</p>
    {{#constants}}<h3>{{name}}</h3><p class="note">AGIPD orientation (128 × 512); {{cells}}; grey = no value</p>
    {{#hasBad}}<p>bad-pixel mask (cell, pixel entries): {{#bad}}{{name}} {{count}}; {{/bad}}</p>{{/hasBad}}
    <div class="maps">{{#maps}}<div class="map"><div>{{title}} <span class="note">({{missing}} without a value)</span></div>
    <img alt="{{title}}" src="{{{image}}}"><div class="bar"></div><div class="range"><span>{{low}}</span><span>{{high}}</span></div>
    {{{histogram}}}</div>{{/maps}}</div>{{/constants}}
    </body></html>

    """#
}
