/// The console's Mustache templates, compiled into the binary. `{{name}}` is HTML-escaped (quotes included, so it is
/// safe in attributes); nothing here uses the unescaped `{{{…}}}`. Pages extend `layout` and fill its `content` block.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "setup": setup, "dashboard": dashboard, "message": message, "compliance": compliance,
        "pageHead": pageHead, "buyers": buyers, "campaigns": campaigns, "sequences": sequences, "domains": domains,
        "leads": leads, "lead": lead, "keys": keys, "billing": billing, "backups": backups, "imports": imports, "calls": calls,
        "audit": audit, "scopeChooser": scopeChooser, "auction": auction, "invoices": invoices,
        "apiReference": apiReference, "inlineCode": inlineCode, "buyerTestPing": buyerTestPing, "buyerForm": buyerForm, "buyer": buyer,
        "campaignForm": campaignForm, "campaign": campaign, "settingsFormOpen": settingsFormOpen, "callingFields": callingFields, "settings": settings, "simulator": simulator, "importColumns": importColumns, "auctionTable": auctionTable, "auctions": auctions,
        "weeklyHoursFields": weeklyHoursFields, "destinations": destinations, "destination": destination, "destinationForm": destinationForm, "webhookSecretFields": webhookSecretFields,
    ]

    static let campaigns = """
        {{<layout}}
        {{$content}}
        <h1>Campaigns</h1>
        {{>pageHead}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Campaign</th><th scope="col">Status</th><th scope="col">Sells in</th><th scope="col">Floor</th><th scope="col">Budget</th><th scope="col">Daily</th><th scope="col">Each lead to</th><th scope="col">Webhook</th><th scope="col">Delivered</th><th scope="col">Accepted</th><th scope="col">Returned</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#campaigns}}<tr>
              <th scope="row"><a href="/admin/campaigns/{{id}}?tenant={{tenant}}">{{name}}</a><br><small>{{type}} · {{id}}</small></th>
              <td>{{status}}</td><td>{{states}}</td><td>{{floor}}</td><td>{{budget}}</td><td>{{daily}}</td><td>{{sharing}}</td><td>{{webhook}}</td>
              <td>{{delivered}}</td><td>{{accepted}} ({{acceptance}})</td><td>{{returned}}</td>
              {{#canChange}}<td><form method="post" action="/admin/campaigns/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form></td>{{/canChange}}
            </tr>
            {{/campaigns}}
            {{^campaigns}}<tr><td colspan="12">No campaigns yet: add one below, or with <code>POST /api/v1/campaigns</code>.</td></tr>{{/campaigns}}
            </tbody>
          </table>
        </section>
        {{#canChange}}
        <section class="card">
          <h2>Add a campaign</h2>
          {{#draft}}{{>campaignForm}}{{/draft}}
        </section>
        {{/canChange}}
        {{/content}}
        {{/layout}}
        """

    /// Under a tenant page's title: the operator's tenant chooser, the notice after a change, and the form's errors.
    static let pageHead = """
        {{#chooseTenant}}
        <form class="inline" method="get" action="{{path}}">
          <label for="tenant">Tenant</label>
          <select id="tenant" name="tenant">{{#tenants}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/tenants}}</select>
          <button type="submit">Show</button>
        </form>
        {{/chooseTenant}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#hasErrors}}<ul class="error" role="alert">{{#errors}}<li>{{field}}: {{reason}}</li>{{/errors}}</ul>{{/hasErrors}}
        """

    static let buyers = """
        {{<layout}}
        {{$content}}
        <h1>Buyers</h1>
        {{>pageHead}}
        <section class="card">
          <table class="dense">
            <thead><tr><th scope="col">Buyer</th><th scope="col">Status</th><th scope="col">Bids</th><th scope="col">Buys</th><th scope="col">Caps</th><th scope="col">Delivery</th><th scope="col">Bought</th><th scope="col">Spent</th><th scope="col">Accepted</th><th scope="col">Answers in</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#buyers}}<tr>
              <th scope="row"><a href="/admin/buyers/{{id}}?tenant={{tenant}}">{{name}}</a><br><small>{{id}}</small></th>
              <td>{{status}}{{#pausedReason}}<br><small class="error">{{pausedReason}}</small>{{/pausedReason}}</td>
              <td>{{bidding}}</td><td>{{filters}}</td><td>{{caps}}</td><td>{{delivery}}</td>
              <td>{{purchased}}</td><td>{{spent}}</td><td>{{acceptance}}</td><td>{{responseTime}}</td>
              {{#canChange}}<td><form method="post" action="/admin/buyers/{{id}}/status"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><input type="hidden" name="status" value="{{toggleTo}}"><button type="submit">{{toggleLabel}}</button></form>
                {{#live}}<form method="post" action="/admin/buyers/{{id}}/test-ping"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit" class="secondary" title="Send this buyer one ping and see the raw exchange">Test ping</button></form>{{/live}}</td>{{/canChange}}
            </tr>
            {{/buyers}}
            {{^buyers}}<tr><td colspan="11">No buyers yet: add one below, or with <code>POST /api/v1/buyers</code>.</td></tr>{{/buyers}}
            </tbody>
          </table>
        </section>
        {{#canChange}}
        <section class="card">
          <h2>Add a buyer</h2>
          {{#draft}}{{>buyerForm}}
          {{/draft}}
        </section>
        {{/canChange}}
        <section class="card">
          <h2>Latest auctions</h2>
          {{>auctionTable}}
          <p class="scope">Open an auction for each buyer's outcome and why it won or lost, and to replay it. <a href="/admin/auctions?tenant={{tenant}}">Every auction</a></p>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Leadline</title>
        <link rel="stylesheet" href="/assets/css/leadline.css">
        <link rel="icon" href="/assets/icons/leadline.svg" type="image/svg+xml">
        {{$head}}{{/head}}
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/admin">Leadline</a>
          {{#user}}
          <nav aria-label="Main">
            <a href="/admin">Dashboard</a>
            <a href="/admin/leads">Leads</a>
            <a href="/admin/campaigns">Campaigns</a>
            <a href="/admin/imports">Imports</a>
            <a href="/admin/buyers">Buyers</a>
            <a href="/admin/calls">Calls</a>
            <a href="/admin/billing">Billing</a>
            <a href="/admin/sequences">Sequences</a>
            <a href="/admin/compliance">Compliance</a>
            <a href="/admin/settings">Settings</a>
          </nav>
          <form class="signout" method="post" action="/admin/logout">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <span class="who" title="{{email}} ({{role}})">{{email}}</span>
            <button type="submit">Sign out</button>
          </form>
          {{/user}}
        </header>
        <main id="main">
        {{$content}}{{/content}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>Sign in</h1>
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <form method="post" action="/admin/login">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}" autofocus>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let setup = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>Create the first administrator</h1>
          <p>This account is an operator: it sees and runs every tenant. More users can be added later.</p>
          {{#hasErrors}}<ul class="error" role="alert">{{#errors}}<li>{{field}}: {{reason}}</li>{{/errors}}</ul>{{/hasErrors}}
          <form method="post" action="/admin/setup">
            <input type="hidden" name="token" value="{{token}}">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}">
            <label for="password">Password (at least {{minimum}} characters)</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{minimum}}">
            <button type="submit">Create and sign in</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let message = """
        {{<layout}}
        {{$content}}
        <section class="card narrow">
          <h1>{{title}}</h1>
          <p>{{text}}</p>
          {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}
        </section>
        {{/content}}
        {{/layout}}
        """

    static let compliance = """
        {{<layout}}
        {{$content}}
        <h1>Compliance</h1>
        {{>pageHead}}

        <section class="card">
          <h2>Do-not-call lookup</h2>
          <form class="inline" method="get" action="/admin/compliance">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="phone">Phone</label>
            <input id="phone" name="phone" type="text" inputmode="tel" value="{{phone}}">
            <button type="submit">Look up</button>
          </form>
          {{#lookup}}<p class="result">{{number}}: {{result}}</p>{{/lookup}}
          {{#canChange}}
          <h3>Add a number to the internal list</h3>
          <form method="post" action="/admin/compliance/dnc">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="dnc-phone">Phone</label>
            <input id="dnc-phone" name="phone" type="text" inputmode="tel" required>
            <label for="dnc-reason">Reason</label>
            <input id="dnc-reason" name="reason" type="text" maxlength="500">
            <button type="submit">Add to do-not-call</button>
          </form>
          {{/canChange}}
          <p class="scope">Internal list: {{internalCount}} numbers. Federal list: {{federalCount}} numbers{{#stateLists}}; {{stateLists}}{{/stateLists}}.</p>
        </section>

        <section class="card">
          <h2>Registry lists</h2>
          {{#dncImport}}
          <p class="notice" role="status">Imported into the {{list}} list ({{kind}}): {{lines}} lines, {{added}} added, {{deleted}} removed, {{rejected}} rejected; it now holds {{size}} numbers in {{areaCodes}} area codes.</p>
          {{#hasRejected}}<pre class="raw">{{rejectedLines}}</pre>{{/hasRejected}}
          {{/dncImport}}
          {{#canChange}}
          <form method="post" action="/admin/compliance/dnc/import" enctype="multipart/form-data">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="dnc-file">Registry file (unzipped: one number per line, <code>NPANXXXXXX</code> or <code>NPA,NXXXXXX</code>)</label>
            <input id="dnc-file" name="file" type="file" accept=".txt,.csv,text/plain,text/csv" required>
            <label for="dnc-list">List</label>
            <select id="dnc-list" name="list"><option value="federal">Federal (National Do Not Call Registry)</option><option value="state">A state's list</option></select>
            <label for="dnc-state">State (for a state's list)</label>
            <input id="dnc-state" name="state" type="text" maxlength="2" placeholder="CO">
            <label class="check"><input type="radio" name="kind" value="full" checked> Full list: replaces the numbers of the area codes it holds</label>
            <label class="check"><input type="radio" name="kind" value="changes"> Change list: an A (add) or D (delete) marker on each line</label>
            <button type="submit">Import</button>
          </form>
          {{/canChange}}
          <p class="scope">Also <code>leadline dnc import FILE --tenant NAME</code> or <code>POST /api/v1/compliance/dnc/import</code>. A running server reads its lists again within 5 seconds of an import elsewhere.</p>
        </section>

        <section class="card">
          <h2>Blackout days</h2>
          <table>
            <thead><tr><th scope="col">State</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Reason</th><th scope="col">By</th>{{#canChange}}<th scope="col"><span class="visually-hidden">Actions</span></th>{{/canChange}}</tr></thead>
            <tbody>
            {{#blackouts}}<tr><td>{{state}}</td><td>{{startsOn}}</td><td>{{endsOn}}</td><td>{{reason}}</td><td>{{actor}}</td>
              {{#canChange}}<td><form method="post" action="/admin/compliance/blackouts/{{id}}/lift"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{tenant}}"><button type="submit">Lift</button></form></td>{{/canChange}}</tr>
            {{/blackouts}}
            {{^blackouts}}<tr><td colspan="6">None declared.</td></tr>{{/blackouts}}
            </tbody>
          </table>
          {{#canChange}}
          <h3>Declare a blackout</h3>
          <form method="post" action="/admin/compliance/blackouts">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="tenant" value="{{tenant}}">
            <label for="b-state">State (blank: every state)</label>
            <input id="b-state" name="state" type="text" maxlength="2">
            <label for="b-from">From</label>
            <input id="b-from" name="starts_on" type="date" required>
            <label for="b-to">To (blank: the same day)</label>
            <input id="b-to" name="ends_on" type="date">
            <label for="b-reason">Reason</label>
            <input id="b-reason" name="reason" type="text" required maxlength="500">
            <button type="submit">Declare</button>
          </form>
          {{/canChange}}
        </section>

        <section class="card">
          <h2>State rules <small>(version {{rulesVersion}})</small></h2>
          <table class="dense">
            <thead><tr><th scope="col">State</th><th scope="col">Weekdays</th><th scope="col">Saturday</th><th scope="col">Sunday</th><th scope="col">Holidays</th><th scope="col">Cap</th><th scope="col">State DNC</th><th scope="col">All-party recording</th></tr></thead>
            <tbody>
            {{#rules}}<tr><th scope="row">{{code}}</th><td>{{weekday}}</td><td>{{saturday}}</td><td>{{sunday}}</td><td>{{holidays}}</td><td>{{cap}}</td><td>{{stateDNC}}</td><td>{{recording}}</td></tr>
            {{/rules}}
            </tbody>
          </table>
        </section>
        {{/content}}
        {{/layout}}
        """
}
