/** Plain CSS: system fonts, readable contrast (WCAG AA), visible focus, no framework. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --accent: #0b5cad;
  --warn-bg: #fff1c2; --warn-ink: #6b4500; --ok-bg: #dcf5e3; --ok-ink: #135c2b; --off-bg: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 1.25rem; margin: 0; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .75rem; }
.muted { color: var(--muted); font-weight: normal; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.bar { display: flex; gap: 1rem; align-items: center; padding: .75rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
.bar p { margin: 0 0 0 auto; font-size: .85rem; }
main { padding: 0 1.5rem 2rem; max-width: 1200px; margin: 0 auto; }
button { font: inherit; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
button:hover { border-color: var(--accent); }
.cards { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: .75rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.card .label { display: block; color: var(--muted); font-size: .85rem; }
.card .value { display: block; font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card.alert { border-color: #d4a72c; background: var(--warn-bg); }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: .75rem; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
select, input { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--ink); }
input[type=search] { min-width: 16rem; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f3f6; font-size: .85rem; }
td button.tenant { border: 0; padding: 0; color: var(--accent); text-decoration: underline; background: none; text-align: left; white-space: nowrap; }
tr.selected td { background: #eef5ff; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; }
.badge.ok { background: var(--ok-bg); color: var(--ok-ink); }
.badge.needs_attention { background: var(--warn-bg); color: var(--warn-ink); }
.badge.erased { background: var(--off-bg); color: var(--muted); }
#more { margin-top: .75rem; }
#timeline { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 0 1rem 1rem; margin-top: 1.5rem; }
.timeline-head { display: flex; align-items: center; justify-content: space-between; }
.events { list-style: none; padding: 0; margin: 0; }
.events li { border-left: 3px solid var(--line); padding: .25rem 0 .75rem .75rem; margin-left: .25rem; }
.events .what { font-weight: 600; } .events .who, .events time { color: var(--muted); font-size: .85rem; }
.events pre { margin: .35rem 0 0; padding: .5rem; background: var(--bg); border-radius: 6px; white-space: pre-wrap; word-break: break-word; font-size: .8rem; }
.sign-in { max-width: 26rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
.sign-in form { display: flex; flex-direction: column; gap: .5rem; margin-top: 1rem; }
.sign-in [role=alert], .problem { color: var(--warn-ink); }
.problem { background: var(--warn-bg); padding: .5rem 1rem; border-radius: 6px; margin-top: 1rem; }
`;
