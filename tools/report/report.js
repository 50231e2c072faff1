// The page of a `wandb-imagemask view` report. It draws everything from one JSON document, the
// element #run-data, which tools/report/report_model.cpp writes:
//
//   run       {id, name, project, entity, group, job_type, notes, tags, host, dir, log, start_time,
//              state: "finished" | "failed" | "not finished", exit_code, runtime, rows, log_problem}
//   config, summary   plain JSON (media values in the summary shown as "(image-file)")
//   charts    [{key, points: [[step, y]], step_metric?, metric_points?: [[x, y]]}]
//   system    [{key, points: [[seconds since start, y]]}]   (Stats records)
//   media     [{key, kind: "image" | "images", layers, steps: [{step, images: [Img]}]}]
//   tables    [{key, layers: {column: layers}, steps: [{step, columns, kinds, rows: [[Cell]], note?}]}]
//   layers    {masks: [{name, classes: [{id, name, color?}]}], boxes: [{name, classes, scores: [key]}]}
//   Img       {src | src_blob, w, h, caption?, masks?: {layer: blob}, boxes?: {layer: [Box]}}
//   Box       {x0, y0, x1, y1 (image pixels), class_id, caption?, scores?: {key: number}}
//   Cell      a number, string, bool or null; {image: Img}; {json: text}; {missing: "image"}
//   blobs     [data URI]: masks (always), images (with --embed-images)
//   max_images, warnings
// A y value may be "NaN", "Infinity" or "-Infinity" (W&B's non-finite numbers): gaps in a chart.
//
// Masks are drawn as W&B draws them: each class id's color, at the layer's opacity, over the
// image. A mask is a gray PNG whose pixel values are class ids; the page decodes it once into
// ids, and paints a canvas of the mask's size with the class colors (transparent where a class
// is hidden) that lies over the image at the same size, with the layer's opacity.
//
// For tests and scripts: window.wandbReport = {ready, readyAt (ms after navigation start),
// idle(): a Promise resolved when no mask is being decoded or painted}.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("run-data").textContent);
  const report = (window.wandbReport = { ready: false, readyAt: null, idle });

  // ---------- helpers ----------

  /** An element: h("div", {class: "x", onclick: f}, child, "text", ...). */
  function h(tag, attrs, ...children) {
    const svg = ["svg", "g", "line", "polyline", "rect", "text", "circle", "path"].includes(tag);
    const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  /** A number of the data: JSON numbers, and the "NaN"/"Infinity"/"-Infinity" strings. */
  function num(v) {
    if (typeof v === "number") return v;
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    return undefined;
  }

  function fmt(v) {
    const n = num(v);
    if (n === undefined) return String(v);
    if (!Number.isFinite(n)) return String(n);
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
    const a = Math.abs(n);
    if (a !== 0 && (a < 1e-4 || a >= 1e15)) return n.toExponential(4);
    if (a >= 1e4) return String(Math.round(n * 1000) / 1000);  // e.g. timestamps: 1796170863.498
    return String(Number(n.toPrecision(6)));
  }

  function duration(seconds) {
    const s = Math.round(seconds);
    const parts = [];
    if (s >= 3600) parts.push(Math.floor(s / 3600) + "h");
    if (s >= 60) parts.push((Math.floor(s / 60) % 60) + "m");
    parts.push((s % 60) + "s");
    return parts.join(" ");
  }

  /** Leaves of a JSON value by dotted key: [["lr", 0.01], ["model.depth", 4]]. */
  function flatten(value, prefix, out) {
    if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
      for (const [k, v] of Object.entries(value)) flatten(v, prefix ? prefix + "." + k : k, out);
    } else if (prefix) {
      out.push([prefix, value]);
    }
    return out;
  }

  // ---------- class colors ----------

  // A fixed palette of 20 distinguishable colors for class ids 0..19 (Sasha Trubetskoy's list of
  // 20 simple, distinct colors); ids from 20 on take hues spaced by the golden angle.
  const PALETTE = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000",
    "#ffd8b1", "#000075", "#808080"];

  function hexRgb(hex) {
    const v = parseInt(hex.slice(1), 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }

  function paletteRgb(id) {
    if (id >= 0 && id < PALETTE.length) return hexRgb(PALETTE[id]);
    const hue = ((id * 137.508) % 360 + 360) % 360, s = 0.65, l = 0.5;  // HSL to RGB
    const c = (1 - Math.abs(2 * l - 1)) * s, x = c * (1 - Math.abs(((hue / 60) % 2) - 1)), m = l - c / 2;
    const [r, g, b] = hue < 60 ? [c, x, 0] : hue < 120 ? [x, c, 0] : hue < 180 ? [0, c, x] :
      hue < 240 ? [0, x, c] : hue < 300 ? [x, 0, c] : [c, 0, x];
    return [r, g, b].map((v) => Math.round((v + m) * 255));
  }

  /** The color of a class in a layer: the user's (from the class labels), else the palette's. */
  function classRgb(layer, id) {
    const c = layer && layer.classes.find((k) => k.id === id);
    return c && c.color ? hexRgb(c.color) : paletteRgb(id);
  }

  const cssRgb = (rgb) => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;

  // ---------- masks: decoded once, painted often ----------

  let busy = 0;
  let idleWaiters = [];

  /** A Promise resolved when no decode or paint is under way. */
  function idle() {
    return busy === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
  }

  function track(promise) {
    busy++;
    const done = () => {
      if (--busy === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((w) => w());
      }
    };
    promise.then(done, done);
    return promise;
  }

  const MASK_CACHE_SIZE = 256;  // decoded masks kept (least recently used dropped first)
  const maskCache = new Map();

  /** {w, h, ids: Uint8Array} of a mask blob. */
  function decodeMask(index) {
    let p = maskCache.get(index);
    if (p) {
      maskCache.delete(index);
      maskCache.set(index, p);
      return p;
    }
    p = new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const w = img.naturalWidth, hgt = img.naturalHeight;
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = hgt;
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(img, 0, 0);
        const rgba = ctx.getImageData(0, 0, w, hgt).data;
        const ids = new Uint8Array(w * hgt);
        for (let i = 0; i < ids.length; i++) ids[i] = rgba[4 * i];  // gray: R = G = B = the class id
        resolve({ w, h: hgt, ids });
      };
      img.onerror = () => reject(new Error("mask " + index + " could not be decoded"));
      img.src = data.blobs[index];
    });
    maskCache.set(index, p);
    if (maskCache.size > MASK_CACHE_SIZE) maskCache.delete(maskCache.keys().next().value);
    return p;
  }

  /** RGBA per class id (256 x 4 bytes) for a layer: its colors, alpha 0 for hidden classes. */
  function colorTable(layer, state) {
    const table = new Uint8ClampedArray(256 * 4);
    for (let id = 0; id < 256; id++) {
      const [r, g, b] = classRgb(layer, id);
      table.set([r, g, b, state.classes[id] === false ? 0 : 255], 4 * id);
    }
    return new Uint32Array(table.buffer);
  }

  function paintMask(canvas, mask, colors) {
    if (canvas.width !== mask.w) canvas.width = mask.w;
    if (canvas.height !== mask.h) canvas.height = mask.h;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(mask.w, mask.h);
    const px = new Uint32Array(image.data.buffer);
    const ids = mask.ids;
    for (let i = 0; i < ids.length; i++) px[i] = colors[ids[i]];
    ctx.putImageData(image, 0, 0);
  }

  // ---------- layer controls: what is shown, shared by all images of a panel or column ----------

  /**
   * The state of a panel's layers and the form that changes it:
   * masks[name] = {on, opacity, classes: {id: bool}}, boxes[name] = {on, classes, thresholds: {score: min}}.
   */
  class LayerControls {
    constructor(layers, boxRanges, onChange) {
      this.layers = layers;
      this.onChange = onChange;
      this.sideBySide = false;
      this.masks = {};
      this.boxes = {};
      this.colors = {};
      for (const l of layers.masks) this.masks[l.name] = { on: true, opacity: 0.6, classes: {} };
      for (const l of layers.boxes) {
        const thresholds = {};
        for (const s of l.scores || []) thresholds[s] = (boxRanges[l.name] && boxRanges[l.name][s] || [0, 1])[0];
        this.boxes[l.name] = { on: true, classes: {}, thresholds };
      }
      this.ranges = boxRanges;
    }

    maskLayer(name) { return this.layers.masks.find((l) => l.name === name); }
    boxLayer(name) { return this.layers.boxes.find((l) => l.name === name); }

    /** The Uint32 color table of a mask layer for the current class toggles. */
    maskColors(name) {
      if (!this.colors[name]) this.colors[name] = colorTable(this.maskLayer(name), this.masks[name]);
      return this.colors[name];
    }

    changed(layerName) {
      if (layerName) delete this.colors[layerName];
      this.onChange();
    }

    classList(layer, state, kind) {
      return h("div", { class: "classes" }, layer.classes.map((c) =>
        h("label", { title: `class id ${c.id}` },
          h("input", {
            type: "checkbox", checked: state.classes[c.id] !== false,
            dataset: { role: "class", kind, layer: layer.name, class: c.id },
            onchange: (e) => { state.classes[c.id] = e.target.checked; this.changed(kind === "mask" ? layer.name : null); },
          }),
          h("span", { class: "swatch", style: { background: cssRgb(classRgb(layer, c.id)) } }), c.name)));
    }

    element() {
      const parts = [];
      for (const layer of this.layers.masks) {
        const state = this.masks[layer.name];
        const value = h("span", {}, Math.round(state.opacity * 100) + "%");
        parts.push(h("fieldset", { dataset: { kind: "mask", layer: layer.name } },
          h("legend", {}, "mask ", layer.name),
          h("div", { class: "row" },
            h("label", {}, h("input", {
              type: "checkbox", checked: state.on, dataset: { role: "layer", kind: "mask", layer: layer.name },
              onchange: (e) => { state.on = e.target.checked; this.changed(); },
            }), " show"),
            h("label", {}, "opacity ", h("input", {
              type: "range", min: 0, max: 1, step: 0.01, value: state.opacity,
              dataset: { role: "opacity", layer: layer.name },
              oninput: (e) => { state.opacity = Number(e.target.value); value.textContent = Math.round(state.opacity * 100) + "%"; this.changed(); },
            })), value),
          this.classList(layer, state, "mask")));
      }
      for (const layer of this.layers.boxes) {
        const state = this.boxes[layer.name];
        const sliders = (layer.scores || []).map((score) => {
          const [lo, hi] = (this.ranges[layer.name] && this.ranges[layer.name][score]) || [0, 1];
          const value = h("span", {}, fmt(state.thresholds[score]));
          return h("div", { class: "row" }, h("label", {}, `${score} \u2265 `, h("input", {
            type: "range", min: lo, max: hi, step: hi > lo ? (hi - lo) / 100 : 1, value: state.thresholds[score],
            dataset: { role: "threshold", layer: layer.name, score },
            oninput: (e) => { state.thresholds[score] = Number(e.target.value); value.textContent = fmt(state.thresholds[score]); this.changed(); },
          })), value);
        });
        parts.push(h("fieldset", { dataset: { kind: "boxes", layer: layer.name } },
          h("legend", {}, "boxes ", layer.name),
          h("div", { class: "row" }, h("label", {}, h("input", {
            type: "checkbox", checked: state.on, dataset: { role: "layer", kind: "boxes", layer: layer.name },
            onchange: (e) => { state.on = e.target.checked; this.changed(); },
          }), " show")),
          sliders, this.classList(layer, state, "boxes")));
      }
      if (this.layers.masks.length > 1)
        parts.push(h("label", {}, h("input", {
          type: "checkbox", dataset: { role: "side-by-side" },
          onchange: (e) => { this.sideBySide = e.target.checked; this.onChange(true); },
        }), " mask layers side by side"));
      return parts.length ? h("div", { class: "controls" }, parts) : null;
    }
  }

  /** [min, max] of every score of every box, per box layer, over all images given. */
  function scoreRanges(images) {
    const ranges = {};
    for (const img of images)
      for (const [layer, boxes] of Object.entries(img.boxes || {}))
        for (const b of boxes)
          for (const [k, v] of Object.entries(b.scores || {})) {
            const r = ((ranges[layer] = ranges[layer] || {})[k] = ranges[layer][k] || [v, v]);
            r[0] = Math.min(r[0], v);
            r[1] = Math.max(r[1], v);
          }
    return ranges;
  }

  // ---------- one image with its overlays ----------

  /** How many CSS pixels per image pixel: whole numbers up to `fit`, smaller images scaled down. */
  function scaleFor(img, fit) {
    const side = Math.max(img.w || 1, img.h || 1);
    return side <= fit ? Math.max(1, Math.floor(fit / side)) : fit / side;
  }

  class ImageView {
    /** `only`: the one mask layer to draw (side by side), or null for all. */
    constructor(img, controls, fit, only) {
      this.img = img;
      this.controls = controls;
      this.only = only;
      this.scale = scaleFor(img, fit);
      const w = Math.round(img.w * this.scale), hgt = Math.round(img.h * this.scale);
      const src = img.src !== undefined ? img.src : data.blobs[img.src_blob];
      this.el = h("div", { class: "view", style: { width: w + "px", height: hgt + "px" } },
        h("img", { src, alt: img.caption || "", width: w, height: hgt, draggable: "false" }));
      this.canvases = {};
      for (const name of Object.keys(img.masks || {})) {
        if (only && name !== only) continue;
        const c = h("canvas", { dataset: { layer: name }, style: { width: w + "px", height: hgt + "px" } });
        this.canvases[name] = c;
        this.el.append(c);
      }
      this.boxLayer = h("div", { class: "boxes" });
      this.el.append(this.boxLayer);
    }

    /** Draws the overlays for the controls' current state; resolves when they are on screen. */
    paint() {
      const jobs = [];
      for (const [name, canvas] of Object.entries(this.canvases)) {
        const state = this.controls.masks[name];
        canvas.style.opacity = String(state.opacity);
        canvas.style.display = state.on ? "" : "none";
        if (!state.on) continue;
        jobs.push(decodeMask(this.img.masks[name]).then((mask) => paintMask(canvas, mask, this.controls.maskColors(name)),
          (err) => { canvas.remove(); console.error(err); }));
      }
      this.paintBoxes();
      return track(Promise.all(jobs));
    }

    paintBoxes() {
      this.boxLayer.textContent = "";
      for (const [name, boxes] of Object.entries(this.img.boxes || {})) {
        const state = this.controls.boxes[name];
        if (!state || !state.on) continue;
        const layer = this.controls.boxLayer(name);
        for (const b of boxes) {
          if (state.classes[b.class_id] === false) continue;
          if (Object.entries(state.thresholds).some(([k, t]) => b.scores && b.scores[k] !== undefined && b.scores[k] < t)) continue;
          const color = cssRgb(classRgb(layer, b.class_id));
          const s = this.scale;
          const cls = layer && layer.classes.find((c) => c.id === b.class_id);
          const text = [b.caption || (cls ? cls.name : "class " + b.class_id),
            ...Object.entries(b.scores || {}).map(([k, v]) => `${k} ${fmt(v)}`)].join(" \u00b7 ");
          this.boxLayer.append(h("div", {
            class: "box" + (b.y0 * s < 14 ? " below" : ""),
            dataset: { layer: name, class: b.class_id },
            style: { borderColor: color, left: b.x0 * s + "px", top: b.y0 * s + "px",
              width: (b.x1 - b.x0) * s + "px", height: (b.y1 - b.y0) * s + "px" },
          }, h("span", { class: "label", style: { background: color } }, text)));
        }
      }
    }
  }

  /** An image with its caption, drawn once per visible mask layer when side by side is on. */
  function figures(img, controls, fit, views) {
    const names = Object.keys(img.masks || {});
    const split = controls.sideBySide && names.length > 1 ? names : [null];
    return split.map((only) => {
      const view = new ImageView(img, controls, fit, only);
      views.push(view);
      const caption = [only, img.caption].filter(Boolean).join(": ");
      return h("figure", { class: "figure" }, view.el, caption ? h("figcaption", {}, caption) : null);
    });
  }

  /** Page buttons: "< page 1 of 5 >"; `show(page)` redraws. */
  function pager(count, perPage, page, show) {
    const pages = Math.ceil(count / perPage);
    if (pages <= 1) return null;
    return h("div", { class: "pager" },
      h("button", { disabled: page === 0, onclick: () => show(page - 1) }, "\u2039 previous"),
      `page ${page + 1} of ${pages} (${perPage} at a time)`,
      h("button", { disabled: page >= pages - 1, onclick: () => show(page + 1) }, "next \u203a"));
  }

  // ---------- lazy panels: drawn when they come near the screen ----------

  const lazy = new IntersectionObserver((entries) => {
    for (const e of entries)
      if (e.isIntersecting) {
        lazy.unobserve(e.target);
        e.target._activate();
      }
  }, { rootMargin: "600px 0px" });

  const waiting = [];

  /** Calls `activate` once `el` is on or near the screen (see startLazy). */
  function whenVisible(el, activate) {
    el._activate = activate;
    waiting.push(el);
  }

  /** Draws the panels on or near the screen now, and the others when they scroll near. */
  function startLazy() {
    for (const el of waiting.splice(0)) {
      const r = el.getBoundingClientRect();
      if (r.top < window.innerHeight + 600 && r.bottom > -600) el._activate();
      else lazy.observe(el);
    }
  }

  // ---------- media panels ----------

  function stepper(steps, onStep) {
    if (steps.length <= 1) return h("span", { class: "stepper" }, steps.length ? `step ${steps[0].step}` : "");
    const label = h("span", {}, `step ${steps[0].step}`);
    const input = h("input", {
      type: "range", min: 0, max: steps.length - 1, step: 1, value: 0, class: "step-slider",
      "aria-label": "step",
      oninput: () => { const i = Number(input.value); label.textContent = `step ${steps[i].step}`; onStep(i); },
    });
    return h("span", { class: "stepper" }, input, label, h("span", {}, `(${steps.length} logged)`));
  }

  function mediaPanel(panel) {
    const all = panel.steps.flatMap((s) => s.images);
    const fit = panel.kind === "images" ? 240 : 320;  // CSS pixels of an image's longer side, at most
    let stepIndex = 0, page = 0, views = [];
    const grid = h("div", { class: "grid" });
    const pagerSlot = h("div", {});
    const controls = new LayerControls(panel.layers, scoreRanges(all), (rebuild) => (rebuild ? show() : repaint()));
    const el = h("div", { class: "panel card", dataset: { key: panel.key, kind: panel.kind } },
      h("div", { class: "head" }, h("h3", {}, panel.key), stepper(panel.steps, (i) => { stepIndex = i; page = 0; show(); })),
      h("div", { class: "body" }, h("div", {}, pagerSlot, grid), controls.element()));
    let active = false;

    function repaint() {
      for (const v of views) v.paint();
    }
    function show() {
      if (!active) return;
      const images = panel.steps[stepIndex] ? panel.steps[stepIndex].images : [];
      const per = data.max_images;
      const slice = images.slice(page * per, (page + 1) * per);
      views = [];
      grid.textContent = "";
      if (!images.length) grid.append(h("p", { class: "empty" }, "(the image of this step is missing)"));
      for (const img of slice) grid.append(...figures(img, controls, fit, views));
      pagerSlot.textContent = "";
      const p = pager(images.length, per, page, (n) => { page = n; show(); });
      if (p) pagerSlot.append(p);
      repaint();
    }
    grid.style.minHeight = (all[0] ? Math.round(all[0].h * scaleFor(all[0], fit)) : 100) + "px";
    whenVisible(el, () => { active = true; show(); });
    return el;
  }

  // ---------- tables ----------

  function tablePanel(table) {
    let stepIndex = 0, page = 0, sortColumn = -1, sortDir = 1, views = [];
    const controlsByColumn = {};
    const allImages = {};
    for (const s of table.steps)
      s.rows.forEach((row) => row.forEach((cell, c) => {
        if (cell && cell.image) (allImages[s.columns[c]] = allImages[s.columns[c]] || []).push(cell.image);
      }));
    const controlsSlot = h("div", { class: "controls-list" });
    for (const [column, layers] of Object.entries(table.layers)) {
      if (!layers.masks.length && !layers.boxes.length) continue;
      const controls = new LayerControls(layers, scoreRanges(allImages[column] || []), (rebuild) => (rebuild ? show() : repaint()));
      controlsByColumn[column] = controls;
      const form = controls.element();
      if (form) controlsSlot.append(h("div", { dataset: { column } }, h("strong", {}, `column ${column}`), form));
    }
    const body = h("div", {});
    const el = h("div", { class: "panel card", dataset: { key: table.key, kind: "table" } },
      h("div", { class: "head" }, h("h3", {}, table.key),
        stepper(table.steps, (i) => { stepIndex = i; page = 0; sortColumn = -1; show(); })),
      h("div", { class: "body" }, body, controlsSlot));
    let active = false;

    function repaint() {
      for (const v of views) v.paint();
    }
    function show() {
      if (!active) return;
      const t = table.steps[stepIndex];
      body.textContent = "";
      views = [];
      if (t.note) body.append(h("p", { class: "note" }, t.note));
      const imageColumns = t.kinds.filter((k) => k === "image").length;
      const per = imageColumns ? Math.max(1, Math.floor(data.max_images / imageColumns)) : 100;
      const order = t.rows.map((_, i) => i);
      if (sortColumn >= 0)
        order.sort((a, b) => {
          const x = num(t.rows[a][sortColumn]), y = num(t.rows[b][sortColumn]);
          const ux = x === undefined || Number.isNaN(x), uy = y === undefined || Number.isNaN(y);
          if (ux || uy) return ux === uy ? a - b : ux ? 1 : -1;  // missing and NaN last
          return x === y ? a - b : (x < y ? -1 : 1) * sortDir;
        });
      const head = h("tr", {}, h("th", {}, "#"), t.columns.map((c, i) => {
        const sortable = t.kinds[i] === "number";
        const cls = [sortable ? "sortable" : "", i === sortColumn ? (sortDir > 0 ? "asc" : "desc") : ""].join(" ").trim();
        return h("th", {
          class: cls || null, dataset: { column: c },
          onclick: sortable ? () => { sortDir = sortColumn === i ? -sortDir : 1; sortColumn = i; page = 0; show(); } : null,
        }, c);
      }));
      const rows = order.slice(page * per, (page + 1) * per).map((r) =>
        h("tr", { dataset: { row: r } }, h("td", { class: "number" }, r), t.rows[r].map((cell, c) => {
          if (cell && typeof cell === "object") {
            if (cell.image) {
              const controls = controlsByColumn[t.columns[c]] || new LayerControls({ masks: [], boxes: [] }, {}, () => {});
              return h("td", {}, h("div", { class: "grid" }, figures(cell.image, controls, 200, views)));
            }
            if (cell.json !== undefined) return h("td", {}, h("code", {}, cell.json));
            return h("td", { class: "empty" }, `(${cell.missing || "?"} missing)`);
          }
          return h("td", { class: t.kinds[c] === "number" ? "number" : null }, cell === null ? "" : fmt(cell));
        })));
      const p = pager(order.length, per, page, (n) => { page = n; show(); });
      body.append(p || "", h("table", { class: "data" }, h("thead", {}, head), h("tbody", {}, rows)));
      if (!t.rows.length) body.append(h("p", { class: "empty" }, "(no rows)"));
      repaint();
    }
    whenVisible(el, () => { active = true; show(); });
    return el;
  }

  // ---------- charts ----------

  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) {
      const pad = Math.abs(lo) * 0.1 || 1;
      lo -= pad;
      hi += pad;
    }
    const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
    return { lo, hi, ticks };
  }

  /** A line chart of [x, y] points in SVG; hovering shows the nearest point's values. */
  function lineChart(title, series, xName) {
    const W = 440, H = 220, L = 58, R = 12, T = 10, B = 30;
    const svg = h("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
    const box = h("div", {}, svg);
    function draw(points, xLabel) {
      svg.textContent = "";
      const pts = points.map(([x, y]) => [num(x), num(y)]).filter(([x]) => Number.isFinite(x)).sort((a, b) => a[0] - b[0]);
      const finite = pts.filter(([, y]) => Number.isFinite(y));
      if (!finite.length) {
        svg.append(h("text", { x: L, y: H / 2, class: "tick" }, "no finite values"));
        return;
      }
      const xs = niceTicks(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])), 5);
      const ys = niceTicks(Math.min(...finite.map((p) => p[1])), Math.max(...finite.map((p) => p[1])), 4);
      const X = (x) => L + ((x - xs.lo) / (xs.hi - xs.lo)) * (W - L - R);
      const Y = (y) => H - B - ((y - ys.lo) / (ys.hi - ys.lo)) * (H - T - B);
      for (const t of ys.ticks) {
        if (t < ys.lo || t > ys.hi) continue;
        svg.append(h("line", { x1: L, x2: W - R, y1: Y(t), y2: Y(t), class: "gridline" }),
          h("text", { x: L - 5, y: Y(t) + 4, "text-anchor": "end", class: "tick" }, fmt(t)));
      }
      for (const t of xs.ticks)
        if (t >= xs.lo && t <= xs.hi) svg.append(h("text", { x: X(t), y: H - B + 15, "text-anchor": "middle", class: "tick" }, fmt(t)));
      svg.append(h("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }),
        h("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }),
        h("text", { x: L + (W - L - R) / 2, y: H - 1, "text-anchor": "middle", class: "tick" }, xLabel));
      let run = [];
      const flush = () => {
        if (run.length > 1) svg.append(h("polyline", { class: "line", points: run.join(" ") }));
        if (run.length === 1) { const [x, y] = run[0].split(","); svg.append(h("circle", { cx: x, cy: y, r: 2, class: "dot" })); }
        run = [];
      };
      for (const [x, y] of pts) {
        if (Number.isFinite(y)) run.push(`${X(x).toFixed(2)},${Y(y).toFixed(2)}`);
        else flush();  // NaN and infinities break the line
      }
      flush();
      const hoverLine = h("line", { y1: T, y2: H - B, class: "hover-line", visibility: "hidden" });
      const dot = h("circle", { r: 3.5, class: "dot", visibility: "hidden" });
      const tipText = h("text", {});
      const tipBox = h("rect", { rx: 3 });
      const tip = h("g", { class: "tip", visibility: "hidden" }, tipBox, tipText);
      const sense = h("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent" });
      svg.append(hoverLine, dot, tip, sense);
      sense.addEventListener("mousemove", (e) => {
        const r = svg.getBoundingClientRect();
        const x = xs.lo + (((e.clientX - r.left) * (W / r.width) - L) / (W - L - R)) * (xs.hi - xs.lo);
        let best = pts[0];
        for (const p of pts) if (Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p;
        const px = X(best[0]), py = Number.isFinite(best[1]) ? Y(best[1]) : H - B;
        hoverLine.setAttribute("x1", px);
        hoverLine.setAttribute("x2", px);
        dot.setAttribute("cx", px);
        dot.setAttribute("cy", py);
        tipText.textContent = `${xLabel} ${fmt(best[0])}: ${fmt(best[1])}`;
        const tx = px > W / 2 ? px - 8 : px + 8;
        tipText.setAttribute("x", tx);
        tipText.setAttribute("y", T + 14);
        tipText.setAttribute("text-anchor", px > W / 2 ? "end" : "start");
        for (const n of [hoverLine, dot, tip]) n.setAttribute("visibility", "visible");
        const bb = tipText.getBBox();
        tipBox.setAttribute("x", bb.x - 4);
        tipBox.setAttribute("y", bb.y - 2);
        tipBox.setAttribute("width", bb.width + 8);
        tipBox.setAttribute("height", bb.height + 4);
      });
      sense.addEventListener("mouseleave", () => { for (const n of [hoverLine, dot, tip]) n.setAttribute("visibility", "hidden"); });
    }
    const head = h("h3", {}, title);
    const el = h("div", { class: "chart card", dataset: { key: title } }, head, box);
    if (series.length > 1) {
      const select = h("select", { class: "xsel", "aria-label": "x axis", onchange: () => draw(series[select.selectedIndex].points, series[select.selectedIndex].x) },
        series.map((s) => h("option", {}, `against ${s.x}`)));
      head.append(" ", select);
    }
    draw(series[0].points, series[0].x);
    return el;
  }

  // ---------- the page ----------

  function kvTable(title, value) {
    const rows = flatten(value, "", []);
    return h("div", { class: "card" }, h("h3", {}, title),
      rows.length ? h("table", { class: "kv" }, h("tbody", {}, rows.map(([k, v]) =>
        h("tr", {}, h("td", {}, k), h("td", {}, v !== null && typeof v === "object" ? JSON.stringify(v) : fmt(v))))))
        : h("p", { class: "empty" }, "(empty)"));
  }

  function runFacts(run) {
    const state = run.state === "finished" ? "finished" : run.state === "failed" ? "failed" : "unfinished";
    const stateText = run.state === "failed" ? `failed (exit code ${run.exit_code})` :
      run.state === "finished" ? "finished" : "not finished (no Exit record: still running, or killed)";
    const facts = [
      ["ID", run.id], ["Project", [run.entity, run.project].filter(Boolean).join("/") || "(none)"],
      ["Group", run.group], ["Job type", run.job_type],
      ["Tags", run.tags && run.tags.length ? run.tags.map((t) => h("span", { class: "tag" }, t)) : null],
      ["Notes", run.notes], ["State", h("span", { class: "badge " + state, dataset: { state: run.state } }, stateText)],
      ["Started", run.start_time ? new Date(run.start_time * 1000).toLocaleString() : null],
      ["Runtime", run.runtime !== undefined ? duration(run.runtime) : null], ["Host", run.host],
      ["Rows", run.rows], ["Directory", run.dir], ["Log", run.log],
      ["Log problem", run.log_problem],
    ].filter(([, v]) => v !== undefined && v !== null && v !== "");
    return h("dl", { class: "facts card" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  function section(title, id, ...content) {
    return h("section", { id }, h("h2", {}, title), ...content);
  }

  function build() {
    const run = data.run;
    document.title = `${run.name || run.id} \u00b7 W&B run report`;
    const app = document.getElementById("app");
    app.textContent = "";
    app.append(h("header", { class: "top" }, h("h1", {}, run.name || run.id || "(unnamed run)"),
      h("div", { class: "sub" }, `${[run.entity, run.project].filter(Boolean).join("/") || "no project"} \u00b7 run ${run.id} \u00b7 ${data.generator}`)));
    const main = h("main", {});
    app.append(main);
    main.append(section("Run", "run", runFacts(run)));
    if (data.warnings && data.warnings.length)
      main.append(section("Problems", "problems", h("ul", { class: "warnings card" }, data.warnings.map((w) => h("li", {}, w)))));
    main.append(section("Config and summary", "config", h("div", { class: "kv-grid" }, kvTable("config", data.config), kvTable("summary", data.summary))));
    if (data.charts.length)
      main.append(section("Charts", "charts", h("div", { class: "charts" }, data.charts.map((c) => {
        const series = [{ x: "_step", points: c.points }];
        if (c.metric_points) series.unshift({ x: c.step_metric, points: c.metric_points });
        return lineChart(c.key, series);
      }))));
    if (data.media.length) main.append(section("Media", "media", data.media.map(mediaPanel)));
    if (data.tables.length) main.append(section("Tables", "tables", data.tables.map(tablePanel)));
    if (data.system && data.system.length)
      main.append(section("System", "system", h("div", { class: "charts" },
        data.system.map((c) => lineChart(c.key, [{ x: "seconds", points: c.points }])))));
  }

  build();
  startLazy();
  // Ready once the panels on screen are drawn (their masks decoded and painted).
  idle().then(() => requestAnimationFrame(() => {
    report.ready = true;
    report.readyAt = performance.now();
    document.documentElement.dataset.ready = "true";
  }));
})();
