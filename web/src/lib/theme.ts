// The app's antd theme, and the few design tokens the antd-free first page draws with.
//
// The landing and search page (shell, search box, results, pager) is plain markup: it renders before any
// of antd's code is loaded, so it cannot ask antd for its tokens (theme.useToken() runs antd's CSS-in-JS
// theme: the largest part of the first page's start-up under a phone's CPU). TOKENS holds the values
// antd derives from THEME for those few tokens; web/test/theme.test.ts checks them against antd's own
// derivation (theme.getDesignToken), so a change of THEME or of antd cannot leave them behind.
// components/AntdConfig.tsx gives THEME to antd wherever antd components are drawn.
import type { ThemeConfig } from 'antd'

// WCAG AA contrast (4.5:1 for text; axe-core checks every page the journeys visit): antd's default link
// blue (#1677ff, 4.1:1 on white), its lighter hover blues (#4481e3: 3.8:1 under white text) and its
// secondary and placeholder greys (45 % and 25 % black) fall below it. These reach 4.5:1 or better on the
// white and light grey backgrounds the app uses.
/** the preset Tag colours whose text shade is darkened (THEME below) */
const PRESET_TEXT = { cyan: '#006d75', green: '#237804', orange: '#ad4e00', volcano: '#ad2102', yellow: '#876800', gold: '#874d00', lime: '#3f6600' }

export const THEME: ThemeConfig = {
  token: {
    colorPrimary: '#1d5fd6',
    colorPrimaryHover: '#174db0',
    colorPrimaryActive: '#123d8c',
    // status colours as text (tags, form errors, results) on white and on their light backgrounds
    colorInfo: '#1d5fd6',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#cf1322',
    // antd derives the light backgrounds from the colours above (too dark for them): its defaults
    colorInfoBg: '#e6f4ff',
    colorSuccessBg: '#f6ffed',
    colorWarningBg: '#fff7e6',
    colorErrorBg: '#fff2f0',
    colorLink: '#1d5fd6',
    colorLinkHover: '#174db0',
    colorLinkActive: '#123d8c',
    // a link inside text must not rely on colour alone (WCAG 1.4.1)
    linkDecoration: 'underline',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
    // a preset-coloured Tag (color="green" …) writes its text in the palette's 7th shade on its 1st: for
    // these presets that is 2.0–4.4:1 (axe-core found green on the admin's users tab); the darker shade of the
    // same palette that reaches 4.5:1 (5.1–6.6:1, on white too). Both spellings: antd keeps the legacy
    // 'green-7' beside green7, and both become the one CSS variable --ant-green-7
    ...Object.fromEntries(Object.entries(PRESET_TEXT).flatMap(([k, v]) => [[`${k}7`, v], [`${k}-7`, v]])),
  },
}

/** antd's tokens for THEME that the antd-free parts use (test/theme.test.ts keeps them equal to antd's). */
export const TOKENS = {
  colorBgLayout: '#f5f5f5',
  colorBgContainer: '#ffffff',
  colorBorderSecondary: '#f0f0f0',
  colorText: 'rgba(0,0,0,0.88)',
  colorTextSecondary: 'rgba(0,0,0,0.65)',
  colorTextLightSolid: '#fff',
  borderRadiusLG: 8,
  fontSize: 14,
  lineHeight: 1.5714285714285714,
  fontFamily: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial,\n'Noto Sans', sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol',\n'Noto Color Emoji'",
} as const
