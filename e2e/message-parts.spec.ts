import { PARTS_CONVERSATION } from './support/seeded.js';
import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('message parts render as text, file reference, reasoning and tool call with input and output', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversation/${PARTS_CONVERSATION}/transcript`);
  const question = page.getByRole('article', { name: /^user message/ });
  await expect(question).toContainText('What is the weather in Lisbon?');
  await expect(question.locator('.part-file')).toContainText('map.png');
  const answer = page.getByRole('article', { name: /^assistant message/ });
  await expect(answer.locator('strong')).toHaveText('21 °C');
  await expect(answer.locator('.part-reasoning summary')).toContainText('reasoning');
  const tool = answer.locator('.tool-call');
  await expect(tool.locator('summary')).toContainText('weather');
  await expect(tool.locator('summary')).toContainText('call_1');
  await tool.locator('summary').click();
  await expect(tool.getByLabel('tool input')).toContainText('Lisbon');
  await expect(tool.getByLabel('tool output')).toContainText('21');
  await saveScreen(page, 'conversation-parts');
});
