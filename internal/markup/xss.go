package markup

// XSSCorpus is a set of hostile inputs (script tags, event attributes,
// javascript: links, SVG, broken attributes) that tests of every output
// carrying user text feed through it.
var XSSCorpus = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)><circle/></svg>`,
	`<svg><script>alert(1)</script></svg>`,
	`[клик](javascript:alert(1))`,
	`[клик](JaVaScRiPt:alert(1))`,
	`[клик](  javascript:alert(1))`,
	`[клик](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p onclick="alert(1)">x</p>`,
	`<img src="x" onerror="alert(1)"`,
	`"><script>alert(1)</script>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<object data="x.swf"></object><embed src="x.swf">`,
	`<form action="https://evil.example"><input name=x></form>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`![x](javascript:alert(1))`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	"<a href=\"java\tscript:alert(1)\">x</a>",
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
}
