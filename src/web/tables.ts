/**
 * The two tables the user edits: declarations (a row per variable of f, filled from the shapes the
 * library inferred, where the shape, dimensions and properties can be changed) and, for backprop,
 * the values of the inputs.
 *
 * Both are rebuilt from each answer of the worker, but only when what they show has changed, and
 * the focused control is found again by its id afterwards, so editing is never interrupted.
 * Changes are committed on `change` (dimensions) or as typed (values, once they are valid JSON).
 */
import type { Nested, Prop, VarDecl } from '../index.js';
import { byId, h } from './dom.js';
import type { Analysis, VarInfo } from './protocol.js';
import type { Decl } from './state.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const isDim = (s: string): boolean => /^[1-9]\d*$/.test(s) || NAME.test(s);
const dimOf = (s: string): string | number => (/^\d+$/.test(s) ? Number(s) : s);

/** Properties that need a square matrix. */
const SQUARE_ONLY: readonly Prop[] = ['symmetric', 'spd', 'invertible', 'diagonal'];

type Kind = 'scalar' | 'vector' | 'matrix';
const kindOf = (dims: readonly unknown[]): Kind =>
  dims.length === 0 ? 'scalar' : dims.length === 1 ? 'vector' : 'matrix';

/** Keeps focus on the control with the same id across a rebuild. */
function keepingFocus(rebuild: () => void): void {
  const id = document.activeElement?.id;
  rebuild();
  if (id) document.getElementById(id)?.focus();
}

let declsShown = '';

/**
 * Fills the declarations table. `declared` are the user's own declarations; a property the analysis
 * shows but the user did not declare is implied (spd implies symmetric): shown ticked and fixed.
 */
export function showDeclarations(
  a: Analysis | undefined,
  declared: Readonly<Record<string, Decl>>,
  onChange: (name: string, d: VarDecl | undefined) => void,
): void {
  const key = JSON.stringify([a?.vars, declared]);
  if (key === declsShown) return;
  declsShown = key;
  const tbody = byId('decls').querySelector('tbody')!;
  keepingFocus(() =>
    tbody.replaceChildren(...(a?.vars ?? []).map((v) => declarationRow(v, a!.props, declared[v.name], onChange))),
  );
}

function declarationRow(
  v: VarInfo,
  allProps: readonly Prop[],
  declared: Decl | undefined,
  onChange: (name: string, d: VarDecl | undefined) => void,
): HTMLTableRowElement {
  const n = v.name;
  // A declaration given as a string (from a link, "matrix(n,n) spd") declares the properties it names.
  const own: readonly Prop[] =
    declared === undefined
      ? []
      : typeof declared === 'string'
        ? v.props.filter((p) => declared.split(/\s+/).includes(p))
        : (declared.props ?? []);
  const current = (): { dims: (string | number)[]; props: Prop[] } => ({ dims: [...v.dims], props: [...own] });
  const commit = (d: { dims: (string | number)[]; props: Prop[] }) => {
    const square = d.dims.length === 2 && String(d.dims[0]) === String(d.dims[1]);
    const props = d.props.filter((p) => square || !SQUARE_ONLY.includes(p));
    onChange(n, { dims: d.dims, ...(props.length > 0 ? { props } : {}) });
  };

  const kind = h(
    'select',
    { id: `decl-${n}-kind`, 'aria-label': `Shape of ${n}` },
    ...(['scalar', 'vector', 'matrix'] as const).map((k) =>
      h('option', { value: k, selected: kindOf(v.dims) === k }, k),
    ),
  );
  kind.addEventListener('change', () => {
    const d0 = v.dims[0] ?? 'n';
    const dims = kind.value === 'scalar' ? [] : kind.value === 'vector' ? [d0] : [d0, v.dims[1] ?? d0];
    commit({ ...current(), dims });
  });

  const dimLabels = v.dims.length === 1 ? [`Length of ${n}`] : [`Rows of ${n}`, `Columns of ${n}`];
  const dimInputs = v.dims.map((d, i) => {
    const input = h('input', {
      id: `decl-${n}-dim${i}`,
      class: 'dim',
      value: String(d),
      'aria-label': dimLabels[i]!,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    input.addEventListener('change', () => {
      const text = input.value.trim();
      if (!isDim(text)) {
        input.setAttribute('aria-invalid', 'true');
        input.title = 'a dimension is a name (n, k) or a positive whole number';
        return;
      }
      const dims = [...v.dims];
      dims[i] = dimOf(text);
      commit({ ...current(), dims });
    });
    return input;
  });

  const square = v.dims.length === 2 && String(v.dims[0]) === String(v.dims[1]);
  const props = allProps.map((p) => {
    const implied = v.props.includes(p) && !own.includes(p);
    const box = h('input', {
      type: 'checkbox',
      id: `decl-${n}-${p}`,
      checked: v.props.includes(p),
      disabled: implied || (!square && SQUARE_ONLY.includes(p)),
    });
    box.addEventListener('change', () => {
      const c = current();
      commit({ ...c, props: box.checked ? [...c.props, p] : c.props.filter((q) => q !== p) });
    });
    return h('label', { title: implied ? 'implied by another property' : '' }, box, ` ${p}`);
  });

  const reset = h(
    'button',
    {
      type: 'button',
      class: 'quiet',
      id: `decl-${n}-reset`,
      'aria-label': `Forget the declaration of ${n}`,
      title: 'back to the inferred shape',
    },
    'reset',
  );
  reset.addEventListener('click', () => onChange(n, undefined));
  reset.hidden = declared === undefined;

  return h(
    'tr',
    { 'data-var': n },
    h('th', { scope: 'row' }, h('code', {}, n)),
    h('td', {}, kind),
    h('td', {}, ...dimInputs.flatMap((el, i) => (i === 0 ? [el] : [' × ', el]))),
    h('td', {}, h('div', { class: 'props' }, ...props)),
    h('td', {}, reset),
  );
}

// ---------------------------------------------------------------------------------------------
// Values (backprop)

const isNested = (v: unknown): v is Nested =>
  (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every(isNested));

let valuesShown = '';

/** Fills the values table with the values used (given or default); a field being edited is left alone. */
export function showValues(
  vars: readonly VarInfo[],
  at: Readonly<Record<string, Nested>>,
  onChange: (name: string, v: Nested) => void,
): void {
  const key = JSON.stringify(vars.map((v) => [v.name, v.text]));
  const tbody = byId('values').querySelector('tbody')!;
  if (key !== valuesShown) {
    valuesShown = key;
    keepingFocus(() =>
      tbody.replaceChildren(
        ...vars.map((v) => {
          const field = h('textarea', {
            id: `value-${v.name}`,
            rows: '1',
            spellcheck: 'false',
            autocomplete: 'off',
            'aria-label': `Value of ${v.name} (${v.text})`,
          });
          field.addEventListener('input', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(field.value);
            } catch {
              parsed = undefined;
            }
            if (isNested(parsed)) {
              field.removeAttribute('aria-invalid');
              onChange(v.name, parsed);
            } else field.setAttribute('aria-invalid', 'true');
          });
          return h('tr', {}, h('th', { scope: 'row' }, h('code', {}, v.name), ` ${v.text}`), h('td', {}, field));
        }),
      ),
    );
  }
  for (const v of vars) {
    const field = document.getElementById(`value-${v.name}`) as HTMLTextAreaElement | null;
    if (field && field !== document.activeElement && at[v.name] !== undefined) field.value = JSON.stringify(at[v.name]);
  }
}
