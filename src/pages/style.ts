/**
 * The one stylesheet, inline in every page (about 3 KB: cheaper than a second request) and
 * allowed by its hash in the Content-Security-Policy (./csp.ts). Mobile first: one column
 * up to 48rem, readable at 360 px; focus is always visible for keyboard users.
 */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;overflow-wrap:anywhere;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b57a4}a:visited{color:#5b3a94}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:.5rem;z-index:2}
header.site{background:#12355b;color:#fff;padding:.5rem 1rem}
header.site a{color:#fff}
.bar{max-width:64rem;margin:0 auto;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.brand{font-weight:700;font-size:1.25rem;text-decoration:none;margin-right:auto}
nav ul,.langs{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
.langs a[aria-current]{font-weight:700;text-decoration:none}
form.search{display:flex;gap:.25rem;flex:1 1 16rem;position:relative}
form.search input{flex:1;min-width:0}
input,select,textarea,button{font:inherit;padding:.4rem .5rem;border:1px solid #767676;border-radius:4px;max-width:100%}
button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
button.secondary{background:#fff;color:#12355b}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
.featured img,.article img{width:100%;height:auto;max-height:24rem;object-fit:cover;border-radius:4px;background:#e8e8e8}
.meta,.credit,small{color:#555;font-size:.9rem}
.grid{display:grid;gap:0 2rem}
@media (min-width:48rem){.grid{grid-template-columns:1fr 1fr}}
ul.headlines{padding-left:1.1rem;margin:.25rem 0}
ul.headlines li{margin:.35rem 0}
.also{color:#555;font-size:.85rem;white-space:nowrap}
ul.ads{list-style:none;padding:0}ul.ads li{border-bottom:1px solid #ddd;padding:.5rem 0}
.suggest{position:absolute;top:100%;left:0;right:0;z-index:3;background:#fff;color:#1a1a1a;border:1px solid #767676;list-style:none;margin:0;padding:0}
.suggest li{padding:.3rem .5rem;cursor:pointer}.suggest li[aria-selected=true]{background:#dde8f5}
mark{background:#fde68a;color:inherit}
.field{margin:.75rem 0;display:flex;flex-direction:column;gap:.2rem}
.field input,.field textarea,.field select{width:100%}
.error{color:#a4000f;font-weight:600}
[aria-invalid=true]{border-color:#a4000f;border-width:2px}
.notice{background:#eef6ee;border-left:4px solid #2a7a2a;padding:.5rem 1rem}
.alert{background:#fdecec;border-left:4px solid #a4000f;padding:.5rem 1rem}
.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
.pager{display:flex;gap:1rem;margin:1rem 0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}
.filters .field{margin:0}
.queue li{border-bottom:1px solid #ddd;padding:.5rem 0}form.inline{display:inline-block;margin-right:.5rem}fieldset{border:1px solid #ccc;border-radius:4px;margin:.75rem 0}
footer.site{max-width:64rem;margin:2rem auto 0;padding:1rem;border-top:1px solid #ddd;color:#555;font-size:.9rem}
code,.wrap{overflow-wrap:anywhere}
figure{margin:1rem 0}
`
  .trim()
  .replace(/\n/g, '');
