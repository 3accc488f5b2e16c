"""axe-core in a page open in Chromium (selenium): the audit's and the browser tests' one runner.

`violations()` injects axe-core from node_modules (pinned in package-lock.json) and returns one
line per rule broken, with up to three of the elements breaking it.

`preload=False` for the desk's pages. axe-core reads every stylesheet again for its one CSS rule
(css-orientation-lock); for a sheet with an `@import` it fetches the imported file resolved
against the page instead of the sheet (dequelabs/axe-core#5268: Django's admin/css/forms.css
imports widgets.css, so axe asks for /admin/…/change/widgets.css and the server logs a 404),
then rebuilds the sheet as an inline <style>, which the site's Content Security Policy refuses.
On such a page that preload can only fail and leave noise in the server's log and the console;
without it that one rule goes unchecked, and the admin's styles never lock the orientation.
The public pages import nothing, so there axe checks every rule.
"""

from pathlib import Path

AXE_PATH = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations'], preload: arguments[0]})
    .then(r => done(r.violations.map(v => ({
        id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3),
    }))))
    .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));
"""


def violations(driver, *, preload: bool = True, axe_path: Path = AXE_PATH) -> list[str]:
    """axe's violations on the page the driver shows now, as lines for a report."""
    driver.execute_script(axe_path.read_text())
    found = driver.execute_async_script(RUN, preload)
    return [f"{v['id']}: {v['help']} — {', '.join(v['nodes'])}" for v in found]
