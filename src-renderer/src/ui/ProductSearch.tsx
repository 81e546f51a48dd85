/**
 * Finding a product without its barcode (damaged, missing, unbarcoded goods):
 * type part of its name or code, pick it from the list. Keyboard-first: the
 * results follow the typing, Enter takes the first, Esc clears. A product
 * sold by weight asks for the weight before it goes in the basket.
 */
import { useEffect, useState } from 'react';
import { money } from './format';
import type { Catalog } from '../db/catalog';
import type { ProductRow } from '../db/schemas';
import { parseKilograms } from '../features/sale/scanned-line';
import { t } from './strings';

const SHOWN = 8;

export function ProductSearch(props: {
  catalog: Catalog | null;
  onPick: (product: ProductRow, grams: number | null) => void;
}) {
  const { catalog, onPick } = props;
  const [text, setText] = useState('');
  /** The last search answered, and for which text: results never belong to text typed since. */
  const [answer, setAnswer] = useState<{ text: string; found: ProductRow[] }>({ text: '', found: [] });
  const searchable = text.trim().length >= 2;
  const results = searchable && answer.text === text ? answer.found : [];
  const [weighing, setWeighing] = useState<ProductRow | null>(null);
  const [weight, setWeight] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!catalog || !searchable) return;
    let current = true;
    void catalog.search(text, SHOWN).then((found) => current && setAnswer({ text, found }));
    return () => {
      current = false;
    };
  }, [catalog, text, searchable]);

  const reset = () => {
    setText('');
    setWeighing(null);
    setWeight('');
    setError(null);
  };
  const pick = (p: ProductRow) => {
    if (p.unit === 'kg') {
      setWeighing(p);
      setError(null);
      return;
    }
    onPick(p, null);
    reset();
  };

  if (weighing)
    return (
      <form
        className="product-search"
        data-testid="product-weight"
        onSubmit={(e) => {
          e.preventDefault();
          const grams = parseKilograms(weight);
          if (grams === null) return setError(t.badWeight);
          onPick(weighing, grams);
          reset();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            reset();
          }
        }}
      >
        <label htmlFor="product-weight">{t.weightOf(weighing.name)}</label>
        <input
          id="product-weight"
          data-testid="product-weight-input"
          inputMode="decimal"
          autoComplete="off"
          autoFocus
          value={weight}
          onChange={(e) => setWeight(e.target.value)}
        />
        <button type="submit">{t.add}</button>
        {error && (
          <span className="message error" role="alert">
            {error}
          </span>
        )}
      </form>
    );

  return (
    <form
      className="product-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (results[0]) pick(results[0]);
        else if (text.trim()) setError(t.noProductFound(text.trim()));
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          reset();
        }
      }}
    >
      <label htmlFor="product-search">
        {t.findProduct} <kbd>F4</kbd>
      </label>
      <input
        id="product-search"
        data-testid="product-search"
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
      />
      {error && (
        <span className="message error" role="alert" data-testid="product-search-error">
          {error}
        </span>
      )}
      {results.length > 0 && (
        <ul className="results" data-testid="product-results">
          {results.map((p) => (
            <li key={p.id}>
              <button type="button" data-testid="product-result" onClick={() => pick(p)}>
                <span>{p.name}</span>
                <span className="muted">
                  {p.ean} · {money(p.priceMinor, p.currency)}
                  {p.unit === 'kg' ? ` ${t.perKg}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
