// The district or street a report covers: a 6- or 9-digit code, remembered across visits.

import { h } from './dom.js';

const KEY = 'grassroots.scope';

export function scopeInput(name) {
  const input = h('input', {
    name, inputmode: 'numeric', pattern: '\\d{6}|\\d{9}', size: 12, required: true,
    placeholder: '如 430105', title: '区县 6 位代码或街道 9 位代码（统计用区划代码）',
    value: localStorage.getItem(KEY) ?? '',
  });
  const hint = h('span', { class: 'field-error', 'aria-live': 'polite' });
  return {
    element: h('label', {}, '区县/街道代码 ', input, hint),
    value() {
      const code = input.value.trim();
      const ok = /^(\d{6}|\d{9})$/.test(code);
      hint.textContent = ok ? '' : '请输入 6 位区县代码或 9 位街道代码';
      if (ok) localStorage.setItem(KEY, code);
      return ok ? code : null;
    },
  };
}
