// The story editor's own extensions for django-prose-editor (configured in articles/fields.py,
// registered in settings' DJANGO_PROSE_EDITOR_EXTENSIONS):
// - DeskMenu: the menu's buttons, tooltips and block styles in Russian. The package names them in
//   English inside its code; a menu item defined again under the same name replaces the
//   package's, and extensions define theirs after the menu's defaults.
// - DeskLink: the link button opens a dialog that finds the site's own stories by headline
//   (published ones, and drafts of the story's region marked as such, from the desk's JSON view)
//   and inserts the story's canonical address; any other address can still be typed.
// - DeskFieldName: the editable area is named after its field's label ("Текст"), a multi-line
//   text box for a screen reader; Tiptap gives it the textbox role and no name.
import { crel, Extension, Link, Plugin } from "django-prose-editor/editor"

const HEADINGS = { 2: "Подзаголовок", 3: "Подзаголовок второго уровня", 4: "Подзаголовок третьего уровня" }
const SEARCH_DELAY_MS = 250
const ALLOWED_LINK = /^(https?:\/\/\S+|mailto:\S+)$/i

const findExtension = (editor, name) =>
  editor.extensionManager.extensions.find((extension) => extension.name === name)

const headingButton = (buttons, level, title) => {
  const button = buttons.material("title", title)
  button.classList.add("prose-menubar__button--heading")
  button.dataset.level = level
  return button
}

export const DeskMenu = Extension.create({
  name: "deskMenu",

  addMenuItems({ menu, buttons }) {
    const editor = this.editor
    const { nodes, marks } = editor.schema
    const heading = findExtension(editor, "heading")

    for (const level of heading ? heading.options.levels : []) {
      menu.defineItem({
        name: `heading${level}`,
        groups: "blockType nodes headings",
        button: headingButton(buttons, level, HEADINGS[level] || `Подзаголовок ${level}`),
        option: crel(`h${level}`, { textContent: HEADINGS[level] || `Подзаголовок ${level}` }),
        active: (e) => e.isActive("heading", { level }),
        command: (e) => e.chain().focus().toggleHeading({ level }).run(),
      })
    }
    menu.defineItem({
      name: "paragraph",
      groups: "blockType nodes",
      button: buttons.material("notes", "Обычный текст"),
      option: crel("p", { textContent: "Обычный текст" }),
      active: (e) => e.isActive("paragraph"),
      command: (e) => e.chain().focus().setParagraph().run(),
    })
    if (nodes.bulletList) {
      menu.defineItem({
        name: "bulletList",
        groups: "blockType lists nodes",
        button: buttons.material("format_list_bulleted", "Маркированный список"),
        option: crel("p", { textContent: "Маркированный список" }),
        active: () => false,
        enabled: (e) => e.can().toggleBulletList(),
        command: (e) => e.chain().focus().toggleBulletList().run(),
      })
    }
    if (nodes.orderedList) {
      menu.defineItem({
        name: "orderedList",
        groups: "blockType lists nodes",
        button: buttons.material("format_list_numbered", "Нумерованный список"),
        option: crel("p", { textContent: "Нумерованный список" }),
        active: (e) => e.isActive("orderedList"),
        enabled: (e) => e.can().toggleOrderedList(),
        command: (e) => e.chain().focus().toggleOrderedList().run(),
      })
    }
    if (nodes.blockquote) {
      menu.defineItem({
        name: "blockquote",
        groups: "nodes",
        button: buttons.material("format_quote", "Цитата"),
        option: crel("p", { textContent: "Цитата" }),
        active: (e) => e.isActive("blockquote"),
        enabled: (e) => e.can().toggleBlockquote(),
        command: (e) => e.chain().focus().toggleBlockquote().run(),
      })
    }
    const mark = (name, icon, title) => {
      if (marks[name]) {
        menu.defineItem({
          name,
          groups: "marks",
          button: buttons.material(icon, title),
          active: (e) => e.isActive(name),
          enabled: (e) => e.can().toggleMark(name),
          command: (e) => e.chain().focus().toggleMark(name).run(),
        })
      }
    }
    mark("bold", "format_bold", "Полужирный (Ctrl+B)")
    mark("italic", "format_italic", "Курсив (Ctrl+I)")
    if (findExtension(editor, "history") || findExtension(editor, "undoRedo")) {
      menu.defineItem({
        name: "history:undo",
        groups: "history",
        button: buttons.material("undo", "Отменить (Ctrl+Z)"),
        enabled: (e) => e.can().undo(),
        command: (e) => e.commands.undo(),
      })
      menu.defineItem({
        name: "history:redo",
        groups: "history",
        button: buttons.material("redo", "Повторить (Ctrl+Shift+Z)"),
        enabled: (e) => e.can().redo(),
        command: (e) => e.commands.redo(),
      })
    }
  },
})

// The editable area's name -----------------------------------------------------------------------

// The editor replaces the field's <textarea> inside a wrapper (the extension's `element`); the
// field's <label> still points at that textarea, so the area is labelled by the same <label>.
export const DeskFieldName = Extension.create({
  name: "deskFieldName",

  addProseMirrorPlugins() {
    const wrapper = this.editor.options.element
    const textarea = wrapper && wrapper.querySelector(":scope > textarea")
    const label = textarea && textarea.labels && textarea.labels[0]
    const attributes = { "aria-multiline": "true" }
    if (label) {
      label.id = label.id || `${textarea.id}-label`
      attributes["aria-labelledby"] = label.id
    }
    return [new Plugin({ props: { attributes } })]
  },
})

// The link dialog -------------------------------------------------------------------------------

let dialogCount = 0

const field = (id, labelText, input) =>
  crel("div", { className: "prose-editor-dialog-field" }, [
    crel("label", { htmlFor: id, textContent: labelText }),
    input,
  ])

const storyOption = (story, choose) => {
  const meta = story.published ? story.region : `${story.region} · ${story.status}, ещё не на сайте`
  const button = crel("button", { type: "button", className: "desk-link-result" }, [
    crel("span", { className: "desk-link-headline", textContent: story.headline }),
    crel("span", { className: "desk-link-meta", textContent: meta }),
  ])
  if (!story.published) {
    button.classList.add("is-draft")
  }
  button.addEventListener("click", () => choose(story))
  return crel("li", {}, [button])
}

const linkDialog = (editor, attrs, options) =>
  new Promise((resolve) => {
    const prefix = `desk-link-${++dialogCount}`
    const search = crel("input", {
      id: `${prefix}-search`,
      type: "search",
      autocomplete: "off",
      placeholder: "Несколько слов заголовка",
    })
    const results = crel("ul", { className: "desk-link-results" })
    const note = crel("p", { className: "desk-link-note", "aria-live": "polite" })
    const href = crel("input", {
      id: `${prefix}-href`,
      name: "href",
      type: "text",
      value: attrs.href || "",
      required: true,
      placeholder: "https://…",
    })
    const title = crel("input", {
      id: `${prefix}-title`,
      name: "title",
      type: "text",
      value: attrs.title || "",
    })
    const submit = crel("button", {
      type: "submit",
      textContent: attrs.href ? "Сохранить ссылку" : "Вставить ссылку",
    })
    const cancel = crel("button", { type: "button", textContent: "Отмена" })
    const form = crel("form", {}, [
      crel("h3", {
        className: "prose-editor-dialog-title",
        id: `${prefix}-heading`,
        textContent: attrs.href ? "Ссылка" : "Новая ссылка",
      }),
      field(search.id, "Найти материал сайта", search),
      results,
      note,
      field(href.id, "Адрес ссылки", href),
      field(title.id, "Подсказка при наведении (необязательно)", title),
      crel("div", { className: "prose-editor-dialog-buttons" }, [submit, cancel]),
    ])
    const dialog = crel(
      "dialog",
      { className: "prose-editor-dialog desk-link-dialog", "aria-labelledby": `${prefix}-heading` },
      [form],
    )
    const wrapper = crel("div", {}, [dialog])
    editor.view.dom.parentElement.append(wrapper)

    let finished = false
    const finish = (value) => {
      if (!finished) {
        finished = true
        dialog.close()
        wrapper.remove()
        resolve(value)
      }
    }

    const choose = (story) => {
      href.value = story.url
      href.setCustomValidity("")
      note.textContent = story.published
        ? `Выбран материал «${story.headline}».`
        : `Выбран материал «${story.headline}»: он ещё не на сайте, ссылка заработает после выпуска.`
      submit.focus()
    }

    let timer = null
    let asked = 0
    const find = async () => {
      const words = search.value.trim()
      results.replaceChildren()
      if (words.length < 2) {
        note.textContent = ""
        return
      }
      const region = document.getElementById("id_region")
      const query = new URLSearchParams({ q: words, region: region ? region.value : "" })
      const number = ++asked
      note.textContent = "Ищем…"
      try {
        const response = await fetch(`${options.searchUrl}?${query}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
        if (!response.ok) {
          throw new Error(String(response.status))
        }
        const { results: stories } = await response.json()
        if (number !== asked) {
          return // a newer search is on its way
        }
        results.replaceChildren(...stories.map((story) => storyOption(story, choose)))
        note.textContent = stories.length ? `Найдено: ${stories.length}` : "Ничего не нашлось."
      } catch (error) {
        if (number === asked) {
          note.textContent = "Поиск не удался; адрес можно вписать вручную."
        }
      }
    }
    search.addEventListener("input", () => {
      clearTimeout(timer)
      timer = setTimeout(find, SEARCH_DELAY_MS)
    })
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault() // Enter searches; it does not send the dialog
        clearTimeout(timer)
        find()
      } else if (event.key === "ArrowDown") {
        const first = results.querySelector("button")
        if (first) {
          event.preventDefault()
          first.focus()
        }
      }
    })

    href.addEventListener("input", () => href.setCustomValidity(""))
    cancel.addEventListener("click", () => finish(null))
    dialog.addEventListener("close", () => finish(null))
    form.addEventListener("submit", (event) => {
      event.preventDefault()
      const value = href.value.trim()
      if (!ALLOWED_LINK.test(value)) {
        href.setCustomValidity("Нужен полный адрес: https://…, http://… или mailto:…")
        href.reportValidity()
        return
      }
      finish({ href: value, title: title.value.trim() || null })
    })

    dialog.showModal()
    search.focus()
  })

export const DeskLink = Link.extend({
  addOptions() {
    return { ...this.parent?.(), searchUrl: "" }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "link",
      groups: "link",
      command: (editor) => editor.chain().addLink().focus().run(),
      enabled: (editor) => !editor.state.selection.empty || editor.isActive("link"),
      button: buttons.material("insert_link", "Ссылка (Ctrl+K): выделите слова и нажмите"),
      active: (editor) => editor.isActive("link"),
    })
    menu.defineItem({
      name: "unlink",
      groups: "link",
      command: (editor) => editor.chain().focus().unsetLink().run(),
      button: buttons.material("link_off", "Убрать ссылку"),
      hidden: (editor) => !editor.isActive("link"),
    })
  },

  addCommands() {
    return {
      ...this.parent?.(),
      addLink:
        () =>
        ({ editor }) => {
          if (editor.state.selection.empty && !editor.isActive("link")) {
            return false
          }
          linkDialog(editor, editor.getAttributes(this.name), this.options).then((attrs) => {
            if (!attrs) {
              editor.commands.focus()
            } else if (editor.isActive(this.name)) {
              editor.chain().focus().extendMarkRange(this.name).updateAttributes(this.name, attrs).run()
            } else {
              editor.chain().focus().setMark(this.name, attrs).run()
            }
          })
          return true
        },
    }
  },
})
